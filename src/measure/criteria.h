// criteria.h — what the protocol of ECG-R1 derives from the amplitudes and
// intervals: frontal axes, voltage criteria (Sokolow-Lyon, Cornell, R in aVL,
// low voltage), R-wave progression, pathological Q waves, bundle-branch and
// fascicular blocks, first-degree AV block, and the amplitude plausibility gate.
//
// Frontal axes (ComputeAxes): for each wave the net area (mV*s, trapezoid rule,
// relative to each lead's isoelectric level, see amplitudes.h) over the global
// window — P: P onset..P offset; QRS: QRS onset..offset; T: QRS offset..T
// offset — in every limb lead present (I, II, III, aVR, aVL, aVF) whose
// amplitudes were measured and whose LeadQuality is usable. Each limb lead
// is a linear combination of I and II (III = II - I, aVR = -(I + II)/2, aVL = I - II/2, aVF = II - I/2); I and II
// are fitted by least squares to the leads present (exact when I and aVF, or
// any two independent leads, are present: aVF = II - I/2 from I and II, or
// I = II - III, aVF = (II + III)/2 from II and III), then
// angle = atan2(aVF, I) in degrees, (-180, 180]. NaN with fewer than two
// independent limb leads, or when the wave is absent (no P: P axis NaN).
// QRS class: "normal" -30..90, "left" -90..<-30, "right" >90..180,
// "extreme" (-180..<-90, the north-west quadrant).
//
// Criteria (ComputeCriteria), all from LeadAmplitudes of the leads found by
// canonical name (the first of a repeated name), using only leads with measured
// amplitudes and a usable LeadQuality; a criterion whose leads are absent or
// unusable stays NaN/false/"":
//   - Sokolow-Lyon = |S V1| + max(R V5, R V6) (QS in V1: its depth); R aVL; R I;
//     Cornell = R aVL + |S V3| (QS: its depth); LVH voltage when Sokolow-Lyon
//     >= 3.5 mV or R aVL > 1.1 mV or Cornell > 2.8 mV (sex unknown: men's cut-off).
//   - low voltage: every limb lead measured (>= 2 of them) has QRS p-p < 0.5 mV;
//     precordial: every precordial lead measured (>= 2) < 1.0 mV.
//   - R progression (needs V3 and V1 or V2; "reversed" needs V2-V4): "reversed"
//     when R falls by more than 0.1 mV from V2 to V3 and again from V3 to V4;
//     "poor" when R V3 <= 0.3 mV (Zema's definition: R has not grown to 3 mm by
//     V3; a QS in V3 counts as R 0); else "normal".
//   - pathological Q, the Fourth Universal Definition of Myocardial Infarction
//     (Thygesen et al. 2018): Q >= 30 ms and >= 0.1 mV deep, or a QS complex
//     (R <= 0.05 mV), in two leads of a contiguous group (I, aVL; II, III, aVF;
//     V1-V6) among I, II, aVL, aVF, V4-V6 (III and V1 count only beside such a
//     lead: an isolated Q in III, aVR or V1 is not pathological; a QS in V1 is
//     a normal variant); any Q >= 20 ms or a QS in both V2 and V3 (read
//     strictly: a septal Q or QS in V1-V2 alone is a common normal finding). aVR
//     never. Only usable leads. A non-QS Q whose width reaches 80 % of the
//     global QRS is a delineation failure, not a finding: the lead goes to
//     doubtful_q_leads and is not judged. With LBBB the Q/QS of V1-V3 is part
//     of the block and not listed. Listed in record order by canonical name.
//   - conduction, from the global QRS duration (Delineation::intervals.qrs_ms;
//     none when it is NaN or above 250 ms, taken as a delineation failure):
//     RBBB: QRS >= 120 ms, V1 with R' (>= 0.05 mV) or a dominant R (R > |S|,
//       R >= 0.3 mV; covers qR), and a wide S (>= 40 ms, >= 0.05 mV) in I or V6;
//     LBBB: QRS >= 120 ms, V1 QS or rS (negative deflection deeper than R, R <=
//       0.3 mV, no R'), a monophasic R without Q (|S| < 0.25 R) in at least
//       two of I, aVL, V5, V6 (or all of those present, if fewer), and an R peak
//       time >= 60 ms in V5 or V6 (I or aVL when neither is measured; AHA 2009);
//     incomplete RBBB: 110 <= QRS < 120 ms with rSR' in V1 (R' >= 0.05 mV);
//     IVCD: QRS >= 110 ms meeting none of these.
//   - left anterior fascicular block: QRS axis -45..-90 with QRS < 120 ms.
//   - first-degree AV block: global PR > 200 ms.
//
// Plausibility gate (AmplitudesPlausible), on the QRS p-p of leads with
// measured amplitudes (for the upper limits, flat and saturated leads left
// out; for the lower one every measured lead counts, since a V-for-mV record
// is also "flat" by the quality check): implausible when one lead exceeds
// kMaxQrsPpMv (8 mV: beyond the largest human QRS, even in extreme LVH), or (>=
// 6 leads) their mean exceeds kMaxMeanQrsPpMv (3.5 mV: real 12-lead records
// average 0.2-1.6 mV, LVH-labelled ones included), or the largest is below
// kMinQrsPpMv (a measured median beat means beats were detected: probably units
// of V read as mV), or (>= kMinLeadsForNormalised leads) the largest and
// smallest lead differ by less than kMaxNormalisedSpread (real leads differ
// several-fold; equal ones were normalised lead by lead, as in the LUDB copy).
// No measured lead: plausible (nothing to judge; note that
// DetectQrs finds no beats in a record 1000x too small, so then only the all-
// flat quality flags tell). Measured: the MUSE conversion (5.12x gain) has V4
// 9.1 mV and a 5.2 mV mean; the 15 CinC 2021 records max 4.7 mV (JS20004 V5)
// and mean <= 1.6 mV.

#pragma once

#include <string>
#include <vector>

#include "measure/delineation.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

constexpr double kSokolowLyonMv = 3.5;
constexpr double kRAvlMv = 1.1;
constexpr double kCornellMv = 2.8;
constexpr double kLowVoltageLimbMv = 0.5;
constexpr double kLowVoltagePrecordialMv = 1.0;
constexpr int kLowVoltageMinLeads = 2;
constexpr double kPoorRV3Mv = 0.3;
constexpr double kReversalStepMv = 0.1;
constexpr double kPathQMs = 30.0;            // UDMI-4, I, II, aVL, aVF, V4-V6 (with the depth)
constexpr double kPathQMv = 0.1;
constexpr double kPathQV2V3Ms = 20.0;        // UDMI-4, V2-V3
constexpr double kQsMaxRMv = 0.05;           // no R wave: a QS complex
constexpr double kDoubtfulQFractionOfQrs = 0.8;
constexpr double kBbbQrsMs = 120.0;
constexpr double kIvcdQrsMs = 110.0;
constexpr double kRbbbDominantRMv = 0.3;
constexpr double kWideSMs = 40.0;
constexpr double kLbbbMaxRV1Mv = 0.3;
constexpr double kLbbbMaxSFraction = 0.25;
constexpr double kLbbbMinRPeakTimeMs = 60.0;
constexpr double kMaxCredibleQrsMs = 250.0;
constexpr double kLafbAxisDeg = -45.0;
constexpr double kFirstDegreeAvbPrMs = 200.0;
constexpr double kMaxQrsPpMv = 8.0;        // one lead above: gain wrong
constexpr double kMaxMeanQrsPpMv = 3.5;    // the mean over >= kMinLeadsForMean leads above: gain wrong
constexpr int kMinLeadsForMean = 6;
constexpr double kMinQrsPpMv = 0.05;       // the largest lead below: units wrong
constexpr int kMinLeadsForNormalised = 8;  // with this many leads measured ...
constexpr double kMaxNormalisedSpread = 1.5;  // ... largest / smallest QRS p-p below: rescaled per lead

// Leads are found by LeadMeasurements::canonical; `d.leads` is in the same order as `leads`
// (otherwise all NaN).
FrontalAxes ComputeAxes(const std::vector<LeadMeasurements>& leads, const Delineation& d);

// The QRS axis class of an angle in degrees ("" for NaN).
std::string QrsAxisClass(double deg);

EcgCriteria ComputeCriteria(const std::vector<LeadMeasurements>& leads, const Delineation& d, const FrontalAxes& axes);

// False when the amplitudes cannot be physiological in mV (a gain or unit
// error: e.g. a QRS of several times the largest human voltage, or every lead
// below 0.05 mV while beats were detected); `why` gets one line for a warning
// (cleared when plausible; may be nullptr).
bool AmplitudesPlausible(const std::vector<LeadMeasurements>& leads, std::string* why);

}  // namespace ecgr1
