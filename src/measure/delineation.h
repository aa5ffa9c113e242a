// delineation.h — P/QRS/T delineation on median beats and the global
// intervals of a resting ECG (PR, QRS, QT, QTc Bazett/Fridericia, P duration).
//
// Method (classical; written from the published ideas, no code copied):
//   1. per lead: baseline wander removed by two cascaded moving medians
//      (200 ms then 600 ms; their output is the baseline, subtracted);
//   2. beats re-aligned on the QRS: each given R peak is moved (within
//      +-20 ms) to the lag that best matches the multi-lead median QRS
//      template (R - 60 .. R + 80 ms, every lead weighted by 1/its template
//      energy), two passes; beats correlating < 0.6 with the template are
//      dropped while half of them remain;
//   3. median beat per lead: window pre = min(400 ms, 0.45 RR),
//      post = min(700 ms, 0.75 RR) (RR = median RR), the sample-wise median
//      over the aligned beats;
//   4. per lead, on the median beat:
//      - QRS: the slope envelope |d/dt| (4 ms central difference, 12 ms moving
//        average); the QRS is where it exceeds 30 % of its maximum near R;
//        onset/offset where it falls back below 3.5 % / 3 % (walking outwards,
//        at most to R - 150 ms / R + 200 ms: a lead whose slope never settles
//        is not usable);
//      - T (searched after the global QRS, step 5, so one lead's late QRS
//        offset cannot push its T window): the largest deviation from the
//        chord joining the ends of the T window (global QRS offset + 60 ms ..
//        global QRS onset + min(0.65 RR, 620 ms)), whose size is the lead's T
//        amplitude; T offset by the maximum-trapezium-area rule (Vazquez-
//        Seisdedos et al. 2011) on the beat smoothed over 24 ms, from the
//        steepest point of the descending limb to a reference 120 ms later or,
//        earlier, where the limb stops descending (over 20 ms);
//      - P: the largest deviation in the 300 ms before QRS onset - 20 ms, accepted
//        only when it stands out of the noise and has a clear peak; P onset and
//        offset by the same trapezium-area rule (references 30 ms before the
//        steepest upstroke / 60 ms after the steepest downstroke);
//   5. global fiducials (all median beats share one time axis):
//      - QRS onset/offset from a multi-lead detection function, the sum over
//        the usable leads of |slope| (4 ms central difference, 8 ms moving
//        average): onset/offset where it falls below max(4 % of its QRS
//        maximum, 2 x its 20th percentile) walking outwards from the first/last
//        point above 30 % (within R - 150 ms .. R + 200 ms; otherwise the
//        second-earliest / second-latest lead boundary);
//      - T offset: the latest lead T offset among the leads whose T amplitude
//        is at least 8 % of the largest (a flat T wave, whose offset is
//        meaningless, does not decide);
//      - P onset/offset: the median over the leads with a P wave; P is
//        globally present only when at least a quarter of the usable leads
//        (>= 1) have one.
// Intervals are NaN when not measurable (no P -> PR and P duration NaN, e.g.
// atrial fibrillation). Heart rate and the RR for QTc come from all beats given.
// Known limits (see tests/test_delineation.cc for the measured errors): the
// global QRS is GE-12SL-like (sharp multi-lead threshold), so it is narrower
// than a CSE-style "earliest onset / latest offset over independently annotated
// leads" reference; lead T offsets can be late on low, flat T waves.
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
  double t_amplitude_mv = 0;  // T peak's deviation from the chord of the T window (0: no T)
  double p_amplitude_mv = 0;  // P peak's deviation from the PR-segment level (0: no P)
  WaveFiducials waves;
  EcgIntervals intervals;     // this lead's own intervals (HR/RR/QTc from all beats)
  std::vector<double> median_beat;  // mV, wander removed by moving medians (timing), length = beat_length
  // The same beats with only the PR-segment baseline removed (a line through
  // each beat's PR segment, R - 80..-50 ms): a long ST plateau keeps its level
  // here, while the moving medians take it partly for baseline. Amplitudes and
  // ST deviation are read on this one. Same length and time axis.
  std::vector<double> amplitude_beat;
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
  // The QRS as the span of the leads' own boundaries (second-earliest onset to
  // second-latest offset with >= 4 usable leads, else the extremes): CSE-like,
  // wider than the global multi-lead QRS; NaN when not found.
  double qrs_lead_span_ms = kNotMeasured;
  std::vector<std::string> notes;  // what could not be measured and why
};

// `r_peaks`: R-peak sample indices (e.g. DetectQrs(record)), increasing.
// Needs at least 2 beats; with fewer, everything is NaN and a note says so.
// Throws Error(kBadInput) for fs < 50 Hz or leads of unequal length.
// `excluded` (optional, one list per lead): R peaks that must not enter that
// lead's median beats (e.g. saturated or noisy there); a lead keeps all beats
// when its exclusions would leave none. `all_beats` (optional, increasing):
// every detected beat, when r_peaks holds only the dominant ones; the RR for
// QTc and heart rate is then the mean over all beats, and the beat window is
// sized by the intervals to the neighbouring beats of any kind.
Delineation DelineateEcg(const EcgRecord& record, const std::vector<int64_t>& r_peaks,
                         const std::vector<std::vector<int64_t>>* excluded = nullptr,
                         const std::vector<int64_t>* all_beats = nullptr);

}  // namespace ecgr1
