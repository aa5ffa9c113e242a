// ecg_measurements.h — everything `ecgr1 measure` finds in a record, in one
// place: beats and their classes, rhythm, delineation and global intervals,
// per-lead signal quality and wave amplitudes, frontal axes, the voltage and
// morphology criteria of ECG-R1's protocol, and warnings (e.g. the amplitude
// plausibility gate). `ecgr1 check` judges the model's claims against it.
//
// Units are part of every field's name: _ms, _mv, _bpm, _deg. NaN means "not
// measurable here" (a lead that is absent or unusable, no P wave, ...); the
// JSON form writes it as null.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/ecg_record.h"
#include "measure/delineation.h"
#include "measure/rhythm.h"

namespace ecgr1 {

// One detected beat, at the record's own sampling rate.
struct BeatInfo {
  int64_t sample = 0;
  double rr_ms = kNotMeasured;  // from the previous beat (NaN for the first)
  char label = 'Q';             // 'N' dominant, 'S' premature supraventricular (narrow, like the
                                // dominant QRS), 'V' ventricular (QRS wide or unlike the dominant), 'Q' unclassified
  double correlation = kNotMeasured;  // QRS correlation with the dominant template (-1..1)
  bool in_median = false;       // entered the median beats (dominant and not disturbed by noise)
  double rr_next_ms = kNotMeasured;  // to the next beat (NaN for the last)
  double qrs_ms = kNotMeasured;      // this beat's QRS width estimate (summed slope of all leads)
  double p_correlation = kNotMeasured;  // 'N' beats: correlation of the 300..60 ms before R (the P
                                        // wave) with the dominant beats' median one; low = no steady P
  int64_t aligned_sample = 0;  // `sample` moved (<= 50 ms) to best align this QRS with the dominant
                               // template; give these to DelineateEcg: the detector may put R on
                               // different waves of the same QRS (= sample when not compared)
};

// Beats with `label` ('N', 'S', 'V' or 'Q').
inline int CountBeats(const std::vector<BeatInfo>& beats, char label) {
  int n = 0;
  for (const BeatInfo& b : beats) n += b.label == label ? 1 : 0;
  return n;
}

// The rhythm as far as a classical measurement can tell it.
struct RhythmFindings {
  // "sinus rhythm", "sinus bradycardia", "sinus tachycardia", "atrial fibrillation",
  // "regular rhythm without P waves", "irregular rhythm", or "" (too few beats).
  std::string label;
  bool p_waves = false;      // a P wave precedes the dominant QRS (globally, from the delineation,
                             // PR 60..400 ms); false when an irregular rhythm's beats do not repeat it
  bool regular = false;      // from the dominant beats' RR intervals
  int premature_supraventricular = 0;  // beats labelled 'S'
  int premature_ventricular = 0;       // beats labelled 'V' (wide / unlike the dominant QRS)
  std::string reason;        // one line: what the label rests on
  double heart_rate_bpm = kNotMeasured;   // dominant rate: 60000 / median RR between 'N' beats
  double rr_irregularity = kNotMeasured;  // median |successive dominant RR difference| / median RR
};

// A stretch of a long record with one rhythm (rhythm_episodes.h).
struct RhythmEpisode {
  double start_s = 0, end_s = 0;
  std::string label;   // as RhythmFindings::label; "" = no rhythm named (too few beats)
  int beats = 0;
  double heart_rate_bpm = kNotMeasured;  // dominant rate in the episode (beat-weighted over its windows)
};

// Signal quality of one lead over the whole record.
struct LeadQuality {
  bool flat = false;            // (nearly) constant: no usable signal
  bool saturated = false;       // clipped at the ADC's limits for a noticeable time
  double noise_mv = kNotMeasured;            // RMS of the high-frequency residual (> 40 Hz) outside QRS
  double baseline_wander_mv = kNotMeasured;  // peak-to-peak of the baseline estimate (< 0.7 Hz)
  bool usable = true;           // not flat, not saturated, noise below the limit
  std::vector<int64_t> excluded_beats;  // beat samples left out of this lead's median beat (noise)
  std::string problem;          // one line when not usable, else ""
};

// Wave amplitudes of one lead's median beat, mV, relative to the isoelectric
// level (the PR segment, or before QRS onset when there is no P wave).
struct LeadAmplitudes {
  double p_mv = kNotMeasured;        // P peak, signed (negative = inverted)
  double q_mv = kNotMeasured;        // Q depth, <= 0 (0 = no Q wave; a QS complex is a Q with r = s = 0)
  double q_ms = kNotMeasured;        // Q width (0 = no Q wave)
  double r_mv = kNotMeasured;        // first positive QRS deflection, >= 0
  double r_ms = kNotMeasured;        // R width (0 = no R wave)
  double r_peak_time_ms = kNotMeasured;  // global QRS onset -> peak of R (or R' when taller); 0 = no R
  double s_mv = kNotMeasured;        // negative deflection after R, <= 0
  double s_ms = kNotMeasured;        // S width (0 = no S wave)
  double r_prime_mv = kNotMeasured;  // second positive deflection after S (rSR'), 0 = none
  double qrs_pp_mv = kNotMeasured;   // QRS peak to peak
  double st_j_mv = kNotMeasured;     // ST deviation at the J point (the global QRS offset)
  double st_j60_mv = kNotMeasured;   // ... at J + 60 ms
  double st_j80_mv = kNotMeasured;   // ... at J + 80 ms
  double t_mv = kNotMeasured;        // T peak, signed
};

struct LeadMeasurements {
  std::string lead;       // as named in the file
  std::string canonical;  // "I".."V6" (CanonicalLeadName), "" when not a standard lead
  LeadQuality quality;
  LeadAmplitudes amplitudes;
};

// Frontal-plane axes from leads I and aVF (aVF derived from II and III, or
// from I and II, when absent), degrees in (-180, 180].
struct FrontalAxes {
  double p_deg = kNotMeasured;
  double qrs_deg = kNotMeasured;
  double t_deg = kNotMeasured;
  // QRS axis class: "normal" (-30..90), "left" (-90..< -30), "right" (> 90..180),
  // "extreme" (-180..< -90, the north-west quadrant), "" when not measured.
  std::string qrs_class;
};

// The criteria ECG-R1's protocol names (Step 3/4), computed from the amplitudes.
struct EcgCriteria {
  double sokolow_lyon_mv = kNotMeasured;  // S V1 + max(R V5, R V6)
  double r_avl_mv = kNotMeasured;
  double r_i_mv = kNotMeasured;
  double cornell_mv = kNotMeasured;        // R aVL + S V3
  bool lvh_voltage = false;                // Sokolow-Lyon >= 3.5 mV or R aVL > 1.1 mV or Cornell > 2.8 mV
  bool low_voltage_limb = false;           // every limb lead's QRS p-p < 0.5 mV
  bool low_voltage_precordial = false;     // every precordial lead's QRS p-p < 1.0 mV
  std::string r_progression;               // "normal", "poor" (R V3 <= 0.3 mV), "reversed", "" not measured
  std::vector<std::string> pathological_q_leads;  // Fourth Universal Definition of MI (criteria.h), canonical names
  std::vector<std::string> doubtful_q_leads;      // a Q as wide as the QRS: delineation failure, not judged
  // Conduction from QRS duration and morphology: "RBBB", "LBBB", "incomplete RBBB",
  // "IVCD" (wide, neither), "" none; left anterior fascicular block by axis < -45.
  std::string bundle_branch_block;
  bool left_anterior_fascicular_block = false;
  bool first_degree_av_block = false;      // PR > 200 ms
};

struct EcgMeasurements {
  std::string record, format;
  double fs = 0;
  size_t samples = 0;
  std::vector<BeatInfo> beats;
  std::vector<std::string> beat_leads;  // leads the QRS detector used (not flat)
  RhythmSummary rr;            // over all beats
  RhythmFindings rhythm;
  std::vector<RhythmEpisode> rhythm_episodes;  // records of >= 30 s only
  double af_burden = kNotMeasured;             // share of the analysed time in AF (records of >= 30 s)
  Delineation delineation;     // median beats, fiducials, global intervals
  std::vector<LeadMeasurements> leads;  // record order
  FrontalAxes axes;
  EcgCriteria criteria;
  bool amplitudes_plausible = true;  // false: gain/units look wrong; voltage claims are not judged
  std::vector<std::string> warnings;
};

// Measures a record (any length, any number of leads, fs >= 50 Hz). Throws
// Error(kBadInput) only for records that no measurement can use (fs < 50 Hz);
// a flat or beat-less record gives an EcgMeasurements with warnings.
EcgMeasurements MeasureEcg(const EcgRecord& record);

}  // namespace ecgr1
