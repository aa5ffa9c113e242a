// delineation.h — P/QRS/T delineation on median beats and the global
// intervals of a resting ECG (PR, QRS, QT, QTc Bazett/Fridericia, P duration).
//
// Method (classical; written from the published ideas, no code copied):
//   1. per lead: baseline wander removed by two cascaded moving medians
//      (200 ms then 600 ms; their output is the baseline, subtracted);
//   2. median beat per lead: beats aligned on the given R peaks, window
//      pre = min(400 ms, 0.45 RR), post = min(700 ms, 0.75 RR) (RR = median RR),
//      the sample-wise median over all beats whose window fits in the record;
//   3. per lead, on the median beat:
//      - QRS: the slope envelope |d/dt| (4 ms central difference, 12 ms moving
//        average); the QRS is where it exceeds a fraction of its maximum near R;
//        onset/offset are where it falls back below a smaller fraction
//        (walking outwards from the first/last steep point);
//      - T: the largest deviation from the chord joining the ends of the T
//        window (QRS offset + 60 ms .. QRS onset + min(0.65 RR, 620 ms)); T offset by the maximum-trapezium-
//        area rule (Vazquez-Seisdedos et al. 2011) after the steepest point of
//        the descending limb;
//      - P: the largest deviation in the 300 ms before QRS onset - 20 ms, accepted
//        only when it stands out of the noise and has a clear peak; P onset and
//        offset by the same trapezium-area rule on each side of the peak.
//   4. global fiducials (all median beats share one time axis): QRS onset =
//      the second-earliest lead onset (the earliest with fewer than 4 leads),
//      QRS offset and T offset = the second-latest, P onset = the first quartile
//      of the onsets of leads with a P wave, P offset the last quartile; P is globally present
//      only when at least a quarter of the usable leads (>= 1) have one.
// Intervals are NaN when not measurable (no P -> PR and P duration NaN, e.g.
// atrial fibrillation). Heart rate and the RR for QTc come from all beats.
// Not handled: paced beats, beat classification (ectopic beats enter the median
// only as a minority), U waves (a U wave merged with T lengthens QT), flutter.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "io/ecg_record.h"

namespace ecgr1 {

constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();

// A point of the median beat: `index` is the sample offset from the start of
// the median beat (-1 when not found); `ms` the time relative to the R peak
// (negative before it; NaN when not found).
struct Fiducial {
  int index = -1;
  double ms = kNotMeasured;
  bool found() const { return index >= 0; }
};

struct WaveFiducials {
  Fiducial p_onset, p_peak, p_offset;
  Fiducial qrs_onset, r_peak, qrs_offset;
  Fiducial t_peak, t_offset;
};

// All in ms (heart rate in bpm); NaN when not measurable.
struct EcgIntervals {
  double heart_rate_bpm = kNotMeasured;
  double rr_ms = kNotMeasured;  // mean RR of all beats
  double pr_ms = kNotMeasured;  // P onset -> QRS onset
  double p_ms = kNotMeasured;   // P onset -> P offset
  double qrs_ms = kNotMeasured;
  double qt_ms = kNotMeasured;  // QRS onset -> T offset
  double qtc_bazett_ms = kNotMeasured;
  double qtc_fridericia_ms = kNotMeasured;
};

struct LeadDelineation {
  std::string lead;
  bool usable = false;        // false for a flat lead or one without a QRS
  bool p_present = false;
  WaveFiducials waves;
  EcgIntervals intervals;     // this lead's own intervals (HR/RR/QTc from all beats)
  std::vector<double> median_beat;  // mV, baseline-corrected, length = beat_length
};

struct Delineation {
  double fs = 0;
  int beat_length = 0;        // samples of each median beat
  int r_index = 0;            // index of the R peak in the median beats
  int beats_used = 0;         // beats that entered the medians
  std::vector<LeadDelineation> leads;  // record order
  bool p_present = false;     // globally
  WaveFiducials global;
  EcgIntervals intervals;     // global intervals
  std::vector<std::string> notes;  // what could not be measured and why
};

// `r_peaks`: R-peak sample indices (e.g. DetectQrs(record)), increasing.
// Needs at least 2 beats; with fewer, everything is NaN and a note says so.
// Throws Error(kBadInput) for fs < 50 Hz or leads of unequal length.
Delineation DelineateEcg(const EcgRecord& record, const std::vector<int64_t>& r_peaks);

}  // namespace ecgr1
