// qrs_detector.h — QRS (beat) detection on one or many leads at any sampling
// rate, for 10 s 12-lead records and for 30 min 2-lead Holter-style records.
//
// The method is of the Pan-Tompkins family, with the leads fused before the
// decision:
//   1. per lead: zero-phase band-pass 5-15 Hz (2nd-order Butterworth high- and
//      low-pass sections designed for the record's own fs by the bilinear
//      transform, run forward and backward over an odd-reflected padding);
//      derivative, squared -> slope energy;
//   2. each lead's energy is divided by its typical QRS energy (median over
//      2 s windows of the window maximum); flat/dead leads are left out; the
//      normalised energies are averaged, each lead weighted by the inverse of
//      its noise floor (its median normalised energy; at most twice the median
//      lead's weight) so a noisy lead cannot place beats between a clean
//      lead's QRS complexes, and integrated over a
//      centred 150 ms window;
//   3. candidate peaks of the integrated energy, at least 200 ms apart
//      (refractory period), are classified in time order with Pan-Tompkins's
//      adaptive signal/noise levels (threshold = noise + 0.25 (signal - noise)),
//      a T-wave test (a candidate < 360 ms after a beat with less than half the
//      slope of that beat is a T wave) and search-back at half the threshold
//      when no beat came for 1.66 mean RR intervals (and at the end); a beat
//      found by search-back must have at least half the slope energy of the
//      smallest of the last 8 beats (rejects low, blunt artefacts in long AF
//      pauses, yet finds the small normal beats between large PVCs). The
//      levels and the mean RR are first learnt by a pass over the first 10 s,
//      then the decision pass starts again from sample 0 with them (so a few
//      large ectopic beats at the start cannot hide the normal ones);
//   4. each beat is placed on the R peak: the largest |deviation| of the
//      0.5-40 Hz filtered signal of the lead with the most QRS energy, within
//      +-100 ms of the energy peak; of two beats closer than
//      250 ms (a rate of 240/min) the one with the larger integrated energy
//      is kept.
// Output: sample indices at the record's own rate, increasing, >= 200 ms apart.
// What it does not do: classify beats (normal/ectopic), detect pacing spikes,
// or handle ventricular flutter; records shorter than 0.5 s give no beats.
#pragma once

#include <cstdint>
#include <vector>

#include "io/ecg_record.h"

namespace ecgr1 {

struct QrsDetectorInfo {
  std::vector<int> leads_used;  // indices of leads that took part (not flat)
  int searchback_beats = 0;     // beats found by search-back
  int twave_rejections = 0;     // candidates rejected as T waves
};

// signal[lead][sample] in mV (all leads the same length), fs in Hz (>= 50).
// Throws Error(kBadInput) for fs < 50 Hz, non-finite fs or leads of unequal length.
std::vector<int64_t> DetectQrs(const std::vector<std::vector<double>>& signal, double fs,
                               QrsDetectorInfo* info = nullptr);

// On a record, only the voltage leads take part (a PLETH or ABP channel in an
// ICU record is not an ECG), unless the record has no voltage lead at all;
// info->leads_used indexes the record's leads.
std::vector<int64_t> DetectQrs(const EcgRecord& record, QrsDetectorInfo* info = nullptr);

}  // namespace ecgr1
