// signal_quality.h — per-lead signal quality of a record: flat line,
// saturation (clipping), high-frequency noise, baseline wander, and which beats
// are too noisy in a lead to enter its median beat.
//
// Method, per lead over the whole record (O(n); any fs >= 50 Hz, any length):
//   - flat: the robust range (0.5th to 99.5th percentile) < kFlatRangeMv or the
//     SD < kFlatSdMv. A flat lead is unusable; nothing else is measured on it
//     (noise and wander 0, no excluded beats).
//   - saturated: runs of >= max(3 samples, kSaturationRunS) at exactly the
//     lead's maximum or minimum (within 1e-6 mV: an ADC rail repeats one code),
//     adding up to >= max(kSaturationMinS, kSaturationMinFraction x duration).
//   - noise_mv: RMS of x - lowpass(x), the low-pass a zero-phase 2nd-order
//     Butterworth at min(kNoiseCutoffHz, 0.4 fs) Hz run forward and backward,
//     over the samples outside +-kQrsHalfWindowS of every beat, outside
//     saturated runs and outside the windows of excluded beats (one noisy beat
//     does not condemn a lead; it is left out of its median instead). Mains
//     interference counts as noise. At 500 Hz white noise keeps ~84 % of its
//     power, a 50 Hz sine ~70 % of its amplitude (the cut-off is gentle).
//   - baseline_wander_mv: peak-to-peak of the baseline: 20 ms block means,
//     moving medians of 200 then 600 ms (remove QRS, then P/T), zero-phase
//     low-pass 0.7 Hz. Over a long record this includes slow drift.
//   - excluded_beats: beats whose window (R - kBeatPreS .. R + kBeatPostS) holds
//     a saturated run, or whose residual RMS (outside QRS) exceeds
//     kBeatNoiseRatio x the lead's median beat RMS and kBeatNoiseFloorMv.
//   - usable = !flat && !saturated && noise_mv <= kNoiseLimitMv; `problem` says why not.
#pragma once

#include <cstdint>
#include <vector>

#include "io/ecg_record.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

constexpr double kFlatRangeMv = 0.02;           // robust p-p below: flat
constexpr double kFlatSdMv = 0.005;             // SD below: flat
constexpr double kSaturationRunS = 0.010;       // shortest stuck run counted
constexpr double kSaturationMinS = 0.10;        // stuck time that makes a lead saturated ...
constexpr double kSaturationMinFraction = 0.005;  // ... and at least this share of the record
constexpr double kNoiseCutoffHz = 40.0;         // noise = residual above this
constexpr double kQrsHalfWindowS = 0.10;        // QRS window left out of the noise, each side of R
constexpr double kNoiseLimitMv = 0.15;          // RMS noise above: unusable
constexpr double kBeatPreS = 0.30, kBeatPostS = 0.50;  // beat window for per-beat noise
constexpr double kBeatNoiseRatio = 3.0;         // beat noisier than 3x the lead's typical beat ...
constexpr double kBeatNoiseFloorMv = 0.03;      // ... and above this RMS: excluded

// One LeadQuality per lead of `record` (record order). `beats`: R-peak sample
// indices (any may be judged too noisy in a lead and listed in excluded_beats);
// indices outside the record are ignored. Never throws for odd input: an empty
// or non-finite record gives flat, unusable leads.
std::vector<LeadQuality> AssessSignalQuality(const EcgRecord& record, const std::vector<int64_t>& beats);

}  // namespace ecgr1
