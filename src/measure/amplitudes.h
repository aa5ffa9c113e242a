// amplitudes.h — wave amplitudes and ST deviation of one lead's median beat,
// measured from the delineation's fiducials (see LeadAmplitudes).
//
// Method (all on LeadDelineation::amplitude_beat, mV — the median beat with
// only the PR-segment baseline removed — or median_beat when it is absent):
//   - isoelectric level: the PR segment, found as the latest flat window
//     before QRS onset: windows of kIsoWindowS (>= 3 samples) between the P
//     peak (the lead's, else the global one; without P, QRS onset -
//     kIsoSearchS) and the QRS onset; "flat" = range <= max(kIsoFlatMv, 2x the
//     flattest window's range); the level is that window's median. (The P
//     offset is not trusted as a boundary: a P offset found inside an initial
//     q would put the baseline on the q.) The QRS onset used is the earlier of
//     the lead's and the global one. Without room for a window: the samples just
//     before QRS onset.
//   - QRS window: the lead's QRS onset/offset, falling back to the global ones,
//     and kept within the global QRS +- kQrsSlackS (a low-voltage lead's own
//     offset can run into its T wave). When the beat is already >=
//     kOnsetOffBaselineMv off the baseline at that onset (a late onset cutting
//     off the slow start of a q), the onset moves back to the baseline crossing
//     (at most kOnsetBackS, never into the isoelectric window).
//     In it, x - iso is cut into lobes at its zero crossings (linearly
//     interpolated, so widths are sub-sample). A lobe is a wave only when its
//     peak is >= kMinWaveMv and its width >= kMinWaveMs; the others are noise
//     and dropped, and neighbouring waves of one sign merge (a notch that does
//     not cross the baseline does not split an R). A last wave (of two or more)
//     still at >= kStTailFraction of its peak at the QRS offset is the start
//     of an elevated/depressed ST segment, not an R' or S, and is dropped. Then:
//       q = the negative wave before the first positive one (depth <= 0, width);
//       r = the first positive wave (height, width r_ms); s = the negative wave
//       after it (depth, width s_ms); r' = the largest positive wave after s
//       (0 = none). Widths run between the interpolated zero crossings (the
//       QRS onset/offset for the first/last wave). R peak time (intrinsicoid
//       deflection): from the earlier of the global and the lead's QRS onset to
//       the peak of the tallest of R and R'.
//       QS complex (no positive wave): q = the negative wave (q_ms its width),
//       r = s = r' = 0. No wave at all: all 0.
//     qrs_pp = max - min of the median beat in the QRS window.
//   - ST: x - iso at the J point (the global QRS offset, the common end of all
//     leads' QRS, falling back to the lead's own), J+60 ms and J+80 ms (NaN when
//     past the end of the median beat).
//   - P: the sample of largest |x - iso| in the P wave (lead's P onset..offset,
//     else the global P window), signed; NaN when no P wave (e.g. AF).
//   - T: the sample of largest |x - iso| within +-kTSearchS of the lead's T
//     peak (else the global T peak), kept between J and T offset; signed.
//     NaN when T was not found.
// Not done: notch/slur detection inside one wave, delta waves, U waves.
// Validated (tests/test_amplitudes.cc): hand-built beats at 250-1000 Hz within
// 0.01 mV / one sample; the GE MUSE record against GE 12SL's own per-lead R, S,
// R', T, ST-J and Q(aVR) values, all 12 leads within max(0.03 mV, 8 %) (T
// 0.05 mV), ST-J within 0.025 mV. Caveat from upstream: the delineation's
// baseline removal (moving medians of 200/600 ms) flattens a long ST-segment
// plateau (a synthetic 0.2 mV ST elevation over 300 ms at 75 bpm reads ~0 mV),
// so ST values from MeasureEcg understate sustained ST deviation.
#pragma once

#include "measure/delineation.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

constexpr double kMinWaveMv = 0.05;   // smallest deflection counted as a wave (q, r, s, r')
constexpr double kMinWaveMs = 8.0;    // ... and its shortest width
constexpr double kIsoWindowS = 0.020; // isoelectric (PR segment) window length
constexpr double kIsoSearchS = 0.250; // search the PR segment at most this far before QRS onset
constexpr double kIsoFlatMv = 0.02;   // a window this flat (range) is baseline
constexpr double kTSearchS = 0.040;   // T peak refinement around the fiducial
constexpr double kStTailFraction = 0.8;  // last wave this high at J: ST, not a wave
constexpr double kQrsSlackS = 0.020;  // a lead's QRS may extend this far beyond the global one
constexpr double kOnsetOffBaselineMv = 0.025;  // off the baseline at QRS onset: look back
constexpr double kOnsetBackS = 0.040;          // ... at most this far

// `lead` is one of `d.leads`; the global fiducials of `d` (QRS onset/offset,
// P, T) are used where the lead's own are missing. All NaN for an unusable lead
// (LeadDelineation::usable false, empty median beat, or no QRS onset/offset).
LeadAmplitudes MeasureAmplitudes(const LeadDelineation& lead, const Delineation& d);

// The isoelectric level of `lead`'s median beat as above, NaN when not measurable.
double IsoelectricLevel(const LeadDelineation& lead, const Delineation& d);

// Net area of x - iso over median-beat samples [from, to] (inclusive), mV*s
// (trapezoid rule); NaN when the window is not inside the median beat or iso is NaN.
double NetArea(const LeadDelineation& lead, double iso, int from, int to, double fs);

}  // namespace ecgr1
