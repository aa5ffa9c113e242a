// beat_classes.h — classifies detected beats (dominant / premature
// supraventricular / ventricular) and names the rhythm.
//
// Beats (written from the published classical ideas — QRS template matching
// plus RR prematurity and pause, as Holter analysers do; no code copied):
//   1. every non-flat lead with a voltage unit (all leads when none has one;
//      PLETH/ABP channels are left out) is high-passed (zero-phase one-pole,
//      0.5 Hz); a beat's QRS window is R - 100 ms .. R + 120 ms of all those
//      leads, each lead's segment centred on its mean; a beat whose window does
//      not fit in the record is 'Q' (edge);
//   2. correlation = cosine similarity of the centred windows with the
//      template's, all leads concatenated (larger leads weigh more), best over
//      lags of +-50 ms (the detector may put R on another wave of the same QRS;
//      coarse-to-fine from 500 Hz); amplitude ratio = window norm / template's;
//   3. the dominant template: among up to 30 beats (10 evenly spaced blocks of
//      3 consecutive beats), the seed is the one most others correlate >= 0.90
//      with — but when a morphology unlike it (< 0.80) is about as common
//      (>= 60 %) and >= 20 ms narrower, that one (ventricular bigeminy); then
//      twice: the sample-wise median of the aligned beats correlating >= 0.90
//      with the template (<= 600, evenly spaced);
//   4. QRS width from the summed |slope| of all leads (10 ms moving average):
//      steep points (>= 35 % of the peak above the 10th percentile) connected by
//      gaps < 40 ms around the peak near R, widened while > 12 %; the dominant
//      width is the median over the template's beats;
//   5. noise: RMS of the signal minus its 20 ms moving average, R - 300 ms ..
//      R + 400 ms (not into the neighbours' QRS) outside the QRS window; noisy =
//      > 4x the record's median and > 12 % of the template's RMS;
//   6. "unlike the dominant": correlation < 0.80, or wide (>= 120 ms and
//      >= dominant + 30 ms or >= 1.5x dominant), or amplitude ratio outside
//      0.5..2.2 with correlation < 0.92. Such a beat is 'V' — or 'Q' when noisy,
//      when its amplitude ratio is < 0.2 or > 6, or when it is a step (the
//      signal settles >= 70 % of the window's range away and stays flat);
//   7. a beat like the dominant one is 'S' when premature against the local
//      reference RR (median of the +-8 surrounding RR intervals, not its own two,
//      none touching a non-'N' beat): RR < 0.88 x reference followed by an RR
//      >= 1.1 x its own (a pause; unknown at the end counts), or RR < 0.75 x
//      reference; otherwise 'N'. Prematurity is judged only where the local
//      rhythm has a regular base (median |successive difference| of those
//      intervals / reference < 0.10), so in atrial fibrillation narrow irregular
//      beats are 'N'. Two passes (the second's reference skips pass one's 'S');
//   8. aligned_sample = sample + the best lag against the template (give the
//      in_median beats' aligned samples to DelineateEcg);
//      in_median: 'N', not noisy, and the delineation window (min(400 ms,
//      0.45 RR) before, min(700 ms, 0.75 RR) after; RR = median RR) fits;
//   9. p_correlation ('N' beats): R - 300 ms .. R - 60 ms (R aligned on the
//      template), each lead linearly detrended, against the sample-wise median
//      of those windows; skipped when the window reaches the previous QRS.
// Cost: O(samples x leads + beats x window x lags): MIT-BIH 100 (650000 x 2
// at 360 Hz) ~0.1 s; 30 min of 12 leads at 1000 Hz ~1 s.
//
// Rhythm (ClassifyRhythm):
//   - dominant RR: intervals between two consecutive 'N' beats (all intervals
//     when fewer than 2); dominant rate = 60000 / their median (/ the mean of
//     all intervals when there are fewer than 2 dominant ones); irregularity =
//     median |difference of adjacent dominant intervals| / median RR (robust to
//     ectopic beats, whose intervals are left out); regular when < 0.08 and
//     (with >= 4 differences) RMSSD / median RR < 0.15;
//   - P waves: Delineation.p_present with a PR of 60..400 ms; "steady" when the
//     median p_correlation of the 'N' beats is >= 0.60;
//   - labels: < 4 beats -> "". Regular: P waves -> "sinus rhythm", "sinus
//     bradycardia" (< 60 bpm), "sinus tachycardia" (> 100 bpm); no P waves ->
//     "regular rhythm without P waves". Irregular: steady P waves -> sinus (with
//     the rate qualifier) while irregularity < 0.15, else "irregular rhythm";
//     two tight alternating RR groups (within-group CV < 0.06, means >= 1.25
//     apart, periodic with period 2..4 in >= 90 % of the intervals) ->
//     "irregular rhythm" (regularly irregular: bigeminy, group beating);
//     no delineated P wave but a steady pre-QRS window -> "irregular rhythm";
//     otherwise (no P waves, or P waves that the beats do not repeat: p_waves
//     is then reported false) -> "atrial fibrillation" with >= 5 differences,
//     else "irregular rhythm".
// Not handled: paced beats, atrial flutter (regular without P), a dominant
// morphology much rarer than an ectopic one (the template is the most common
// morphology, or the narrower of two about equally common ones), aberrantly
// conducted PACs (become 'V'), PACs in a patterned rhythm or an irregular
// stretch (become 'N'), 2nd/3rd degree AV block, escape beats; ventricular
// bigeminy is named "irregular rhythm" (the sinus rate under it is not rebuilt).
#pragma once

#include <cstdint>
#include <vector>

#include "io/ecg_record.h"
#include "measure/delineation.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

// Per-beat features behind the labels (for tests and reports), same order as
// the beats. NaN where not measurable.
struct BeatFeatures {
  double amplitude_ratio = kNotMeasured;  // QRS window norm / the template's
  double noise_ratio = kNotMeasured;      // HF residual / the record's median
  double ref_rr_ms = kNotMeasured;        // local reference RR (dominant, +-8 intervals)
  double local_irregularity = kNotMeasured;  // median |dRR| / median RR around the beat
  bool noisy = false;
  bool edge = false;                      // QRS window does not fit in the record
};

struct BeatClassDetails {
  std::vector<BeatFeatures> features;
  double template_qrs_ms = kNotMeasured;  // width of the dominant template
  int usable_leads = 0;
  int template_beats = 0;                 // beats that built the refined template
};

// One BeatInfo per beat (same order). `in_median` is set for the dominant beats
// (the ones the median beat should be built from). Beats are sample indices at
// record.fs, increasing. Never throws; with fs <= 0, no usable lead or beats
// outside the record, the affected beats are 'Q'.
std::vector<BeatInfo> ClassifyBeats(const EcgRecord& record, const std::vector<int64_t>& beats);
std::vector<BeatInfo> ClassifyBeats(const EcgRecord& record, const std::vector<int64_t>& beats,
                                    BeatClassDetails* details);

// The rhythm from the classified beats and the delineation built from the
// dominant beats (P waves, PR).
RhythmFindings ClassifyRhythm(const std::vector<BeatInfo>& beats, const Delineation& d, double fs);

}  // namespace ecgr1
