// verify.h — judges each extracted claim (claims.h) against what the signal
// measured (ecg_measurements.h): supported, contradicted or unverifiable,
// with the measured value and a one-line reason.
//
// Principle: a claim is only called contradicted when the measurement clearly
// disagrees; anything not measured (NaN, empty label, missing lead, a record
// without beats), hedged ("LVH cannot be diagnosed"), or borderline is
// unverifiable. Every verdict names what it rests on.
//
// ---- Tolerances (IEC 60601-2-25 and the table) -----------------------
//   heart rate  +-max(3 bpm, 5 % of the measured rate)
//   PR, QRS, P duration, Q width  +-10 ms      QT, QTc  +-25 ms
//   axis  +-15 deg (circular)                  amplitudes  +-max(0.05 mV, 10 %)
//   RR regularity (coefficient of variation)  +-0.03
//
// ---- Relations ----------------------------------------------------------------
// Every judgeable claim becomes "the measured value lies in a set S":
//   = and ~ : S = {claimed}          < <= : (-inf, claimed]   > >= : [claimed, inf)
//   range   : [lo, hi] — "within the normal range of 60-100 bpm" (kRange) is read
//             as "the measured value lies in the range", unless the words before it
//             say "above/over/exceeding ..." (then > hi), "below/under ..." (< lo)
//             or "outside" (not in the range); that needs the output text.
//   qualitative: the protocol's own set (generation.md §4.1), see the table below.
// Supported when the measured value is in S (for a stated value: within the
// tolerance of it). Outside S but within the tolerance of it: unverifiable
// ("borderline": the tolerance is slack in the claim's favour, so it is not
// contradicted, but not confirmed either). Farther: contradicted — except in
// the dead band: a value within the tolerance of a protocol cut-off, when S's
// bound is itself within the tolerance of that cut-off, is unverifiable
// ("borderline"; inequalities, ranges and qualitative findings only — a
// stated value is judged by its tolerance alone). Cut-offs: rate 60/100 bpm;
// PR 120/200 ms; QRS 100/120 ms; QTc 440/460 ms; axis -30/+90/-90/180 deg;
// RR CV 0.10.
// Lead findings ("ST elevation in V1-V3") count leads: a lead meets the
// finding when its value is past the threshold; supported when enough leads
// meet it, contradicted when not enough leads come within the tolerance of it;
// negated: contradicted when enough leads are past the threshold by more than
// the tolerance, supported when too few meet it at all.
// Negation: a negated claim is judged as the complement of S ("no ST elevation"
// = every named lead below the threshold), again with the slack in the claim's
// favour; composite claims are AND/OR of parts (De Morgan under negation). A
// negated stated value ("not 150 bpm", mostly an extraction artefact such as
// "without ectopy at 72 bpm") is unverifiable.
//
// ---- Kinds --------------------------------------------------------------------
// heart_rate  m.rr.heart_rate_bpm (>= 2 beats; 60000 / mean RR), else
//             delineation.intervals.heart_rate_bpm; when the dominant beats' rate
//             (rhythm.heart_rate_bpm, median RR) differs by more than the tolerance
//             (ectopy, pauses), either may support the claim;
//             "atrial rate" numbers are unverifiable.
// pr qrs qt   delineation.intervals; for QRS also delineation.qrs_lead_span_ms (the span
//             of the leads' own boundaries): when it differs from the
//             global value by more than the tolerance, either may support the claim
//             (the global QRS is GE-12SL-like, the span CSE-like: both are in use); qualitative PR normal [120,200], prolonged >200,
//             short <120; QRS normal <=100, narrow <120, wide/broad >=120,
//             prolonged >=100, borderline [100,120]; QT qualitative: unverifiable
//             (the protocol's cut-off is for QTc).
// qtc         Bazett and Fridericia: supported if either supports (the reason names
//             which), contradicted only if both contradict. Sex is unknown, so
//             normal = <= 460 ms and prolonged = >= 440 ms (the 440/460 band);
//             borderline [430,470]; short <= 360.
// axis        axes.qrs_deg (circular); normal [-30,90], left [-90,-30], right [90,180],
//             extreme [-180,-90]; "deviated" = not normal; axes.qrs_class when the
//             angle is missing.
// rhythm      rhythm.label: sinus rhythm (any "sinus ..." label; "atrial fibrillation"
//             or "regular rhythm without P waves" contradict); sinus brady/tachy =
//             sinus AND rate <60 / >100; atrial fibrillation (label, or clearly
//             regular RR -> contradicted); atrial flutter, junctional, ectopic atrial,
//             SVT: contradicted by a sinus label; ventricular tachycardia = not sinus
//             AND QRS >= 120 AND rate >= 100; premature atrial / ventricular
//             complexes and ectopy from the beat classes (beats labelled S / V;
//             unverifiable while every beat is unclassified 'Q'); regular /
//             irregular from the RR coefficient of variation (cut-off 0.10);
//             paced: unverifiable (pacing spikes are not detected).
// bundle_branch_block  complete RBBB/LBBB = QRS >= 120 AND criteria.bundle_branch_block
//             names it; incomplete = QRS 100-120 AND the criteria name it; "BBB" = any
//             complete block; IVCD = QRS >= 110 AND not RBBB/LBBB (supported or, for a
//             block, contradicted; a narrow QRS leaves a "nonspecific" delay unverifiable:
//             the label is also given for QRS shape). When the criteria
//             are not computed (no amplitudes) the morphology part is unknown, and a
//             narrow QRS alone still contradicts "complete RBBB" and supports "no
//             bundle branch block".
// fascicular_block  LAFB = axis in [-90,-45]; LPFB = axis in [90,180] AND (other
//             criteria not measured) -> only a non-right axis is judged.
// av_block    first degree = PR > 200; "no AV block" is contradicted only by PR > 200
//             and supported only with PR <= 200, a sinus label and regular RR (an
//             irregular or non-sinus rhythm is no evidence of a block); second/third
//             degree and Mobitz claims are unverifiable.
// preexcitation  WPW needs PR < 120 (a PR >= 120 supports "no pre-excitation").
// voltage, lvh  criteria (or the lead amplitudes): Sokolow-Lyon >= 3.5 mV, R aVL >= 1.1,
//             R I >= 1.5, Cornell > 2.0 (claimed present) / > 2.8 mV (claimed absent):
//             sex unknown; LVH = any of them; low voltage = every limb lead's QRS
//             peak-to-peak < 0.5 mV / every precordial < 1.0 mV (the leads named pick
//             the group); numbers: "SV1 + RV5" sums, R/S of a named lead, Sokolow-Lyon,
//             Cornell, QRS peak-to-peak of a lead group. "Hypertrophy" in general:
//             RVH is not measured, so only contradicted (LVH voltage) or supported
//             (claimed present and LVH voltage met). "No LVH" (the diagnosis) is not
//             contradicted by voltage alone; "voltage criteria for LVH are not met" is.
// st          per lead: elevation = ST at J >= 0.1 mV (0.2 mV in V2-V3); depression =
//             ST at J+60 (else J+80, J) <= -0.05 mV. "In leads L" means in at least
//             min(2, |L|) of them (contiguous-lead rule); no leads named = all but aVR.
//             isoelectric/normal = neither; deviation = either; ST-T changes: unverifiable.
// q_wave      the Fourth Universal Definition of MI (criteria.h: Q >= 30 ms and >= 0.1 mV
//             or QS in two contiguous leads of I, II, aVL, aVF, V4-V6; any Q >= 20 ms or QS
//             in V2-V3; an isolated Q in III, aVR or V1 and a septal q are normal):
//             present = a named lead in criteria.pathological_q_leads; a pattern that
//             the tolerance (10 ms, 0.05 mV) could complete is borderline; "no
//             pathological Q" is contradicted only when the pattern is met clearly
//             (10 ms / 0.05 mV past the cut-offs, or a QS 0.3 mV deep). A lead in
//             criteria.doubtful_q_leads (a Q as wide as the QRS: a delineation
//             failure) never decides; numbers: the widest / deepest Q of the named
//             leads, doubtful leads left out.
// r_progression  criteria.r_progression (poor = R V3 <= 0.3 mV; R V3 within 0.05 mV of
//             0.3 is borderline); "abnormal" = poor or reversed.
// p_wave      upright / inverted: sign of the P peak in every named lead (lead II by
//             default); absent: delineation.p_present; peaked/tall/right atrial
//             abnormality: P in II >= 0.25 mV; broad/left atrial abnormality: P
//             duration >= 120 ms; normal: duration < 120 ms and P in II 0..0.25 mV.
// t_wave      inverted (T peak < 0) / flat (|T| <= 0.1 mV) in min(2, |L|) named leads;
//             upright in every named lead; normal = upright in I, II, V3-V6 (or the
//             named leads). Normal variants: over a group of leads, "upright" and
//             "no T inversion / flattening" leave out aVR, III and V1 (a lead named on
//             its own keeps its claim); "no T inversion" with no lead named covers all
//             leads but those. Tented, peaked, discordant ...: unverifiable.
// qrs_morphology  rSR' = R' >= 0.1 mV in a named lead (V1 by default); QS = R <= 0.05 mV.
// infarction, ischemia, electrolyte, rvh, u_wave, technical, paper_speed,
// calibration: unverifiable, with the reason.
//
// ---- Not judged ---------------------------------------------------------------------
// A criterion mention (Claim::criterion: a quoted threshold) and a hedged claim
// (Claim::uncertain: "possible", "cannot be excluded", "unreliable" ..., by
// ConText, context.h) are unverifiable, the reason naming which.
//
// ---- Confidence -------------------------------------------------------------------
// A contradiction needs a confident measurement. Before a claim is called
// contradicted, the measurement it rests on is checked: rate and rhythm need
// >= 3 beats; intervals (and the blocks and pre-excitation built on them) a
// median beat of >= 3 beats, >= 3 usable leads and a record sampled at >= 250 Hz; PR a P wave in >= 3 leads;
// QRS the QRS delineated in >= 3 leads whose median is within 40 ms of the
// global value; QT / QTc a T offset in >= 3 leads. When that fails the verdict
// is unverifiable ("measurement doubtful: ..."). Every verdict names the
// measurement (a field path) and the rule (cut-offs and tolerance) of its kind.
//
// Amplitude plausibility gate: when !m->amplitudes_plausible, every claim that
// rests on an amplitude (voltage, lvh, st, q_wave, r_progression, qrs_morphology,
// axis and fascicular block (ratios of lead amplitudes),
// any number in mV, P/T amplitude findings) is unverifiable, the reason quoting the
// measurement's warning.
//
// Time: O(claims + output) (the output text is only scanned around each claim).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "check/claims.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

struct ClaimVerdict {
  enum Verdict { kSupported, kContradicted, kUnverifiable };
  Verdict verdict = kUnverifiable;
  double measured = NAN;        // the measured value the verdict rests on, NaN when none
  std::string measured_unit;    // unit of `measured` ("bpm", "ms", "deg", "mV", "", ...)
  std::string measured_text;    // for qualitative measurements ("sinus rhythm", "RBBB",
                                // "V1 0.05 mV, V2 0.21 mV"), else ""
  double tolerance = NAN;       // the tolerance used, in measured_unit, NaN when none
  std::string reason;           // one line
  std::string measurement;      // which measurement decides claims of this kind (a field path)
  std::string rule;             // which rule and tolerance judge it
  std::string doubt;            // why that measurement is not confident here, "" when it is
};

const char* VerdictName(ClaimVerdict::Verdict v);

// One verdict per claim, same order. `m` may be null (no record given): every
// claim is unverifiable. `output` is the text the claims were extracted from
// (optional): it gives the context for hedges ("cannot", "may", "unreliable"
// in the claim's sentence make it unverifiable), the reading of reference
// ranges and "atrial rate"; without it claims are judged on their own fields.
std::vector<ClaimVerdict> VerifyClaims(const std::vector<Claim>& claims, const EcgMeasurements* m,
                                       const std::string& output = std::string());

// The tolerance of a measurement in `unit` ("bpm", "ms", "deg", "mV") for
// claim `kind` at measured value `measured` (see the table above).
double ClaimTolerance(const std::string& kind, const std::string& unit, double measured);

// The warning that explains an implausible-amplitude record (for reports).
std::string AmplitudeGateWarning(const EcgMeasurements& m);

}  // namespace ecgr1
