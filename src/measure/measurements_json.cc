// measurements_json.cc — EcgMeasurements -> JSON, one function per struct.
#include "measure/measurements_json.h"

#include <cmath>
#include <string>

namespace ecgr1 {

nlohmann::json NumberOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

namespace {

using nlohmann::json;

json FiducialMs(const Fiducial& f) { return f.found() ? json(f.ms) : json(nullptr); }

json WavesToJson(const WaveFiducials& w) {
  return {{"p_onset_ms", FiducialMs(w.p_onset)},     {"p_peak_ms", FiducialMs(w.p_peak)},
          {"p_offset_ms", FiducialMs(w.p_offset)},   {"qrs_onset_ms", FiducialMs(w.qrs_onset)},
          {"r_peak_ms", FiducialMs(w.r_peak)},       {"qrs_offset_ms", FiducialMs(w.qrs_offset)},
          {"t_peak_ms", FiducialMs(w.t_peak)},       {"t_offset_ms", FiducialMs(w.t_offset)}};
}

json IntervalsToJson(const EcgIntervals& iv) {
  return {{"heart_rate_bpm", NumberOrNull(iv.heart_rate_bpm)},
          {"rr_ms", NumberOrNull(iv.rr_ms)},
          {"pr_ms", NumberOrNull(iv.pr_ms)},
          {"p_duration_ms", NumberOrNull(iv.p_ms)},
          {"qrs_ms", NumberOrNull(iv.qrs_ms)},
          {"qt_ms", NumberOrNull(iv.qt_ms)},
          {"qtc_bazett_ms", NumberOrNull(iv.qtc_bazett_ms)},
          {"qtc_fridericia_ms", NumberOrNull(iv.qtc_fridericia_ms)}};
}

json AmplitudesToJson(const LeadAmplitudes& a) {
  return {{"p_mv", NumberOrNull(a.p_mv)},         {"q_mv", NumberOrNull(a.q_mv)},
          {"q_ms", NumberOrNull(a.q_ms)},         {"r_mv", NumberOrNull(a.r_mv)},
          {"r_ms", NumberOrNull(a.r_ms)},         {"r_peak_time_ms", NumberOrNull(a.r_peak_time_ms)},
          {"s_mv", NumberOrNull(a.s_mv)},         {"s_ms", NumberOrNull(a.s_ms)},
          {"r_prime_mv", NumberOrNull(a.r_prime_mv)},
          {"qrs_pp_mv", NumberOrNull(a.qrs_pp_mv)}, {"st_j_mv", NumberOrNull(a.st_j_mv)},
          {"st_j60_mv", NumberOrNull(a.st_j60_mv)}, {"st_j80_mv", NumberOrNull(a.st_j80_mv)},
          {"t_mv", NumberOrNull(a.t_mv)}};
}

json QualityToJson(const LeadQuality& q) {
  return {{"usable", q.usable},
          {"flat", q.flat},
          {"saturated", q.saturated},
          {"noise_mv", NumberOrNull(q.noise_mv)},
          {"baseline_wander_mv", NumberOrNull(q.baseline_wander_mv)},
          {"excluded_beats", q.excluded_beats},
          {"problem", q.problem}};
}

}  // namespace

json MeasurementsToJson(const EcgMeasurements& m, bool median_beats) {
  json beats = json::array();
  for (const BeatInfo& b : m.beats) {
    beats.push_back({{"sample", b.sample},
                     {"time_s", static_cast<double>(b.sample) / m.fs},
                     {"rr_ms", NumberOrNull(b.rr_ms)},
                     {"rr_next_ms", NumberOrNull(b.rr_next_ms)},
                     {"label", std::string(1, b.label)},
                     {"qrs_ms", NumberOrNull(b.qrs_ms)},
                     {"correlation", NumberOrNull(b.correlation)},
                     {"p_correlation", NumberOrNull(b.p_correlation)},
                     {"in_median", b.in_median}});
  }
  const Delineation& d = m.delineation;
  json leads = json::array();
  for (size_t i = 0; i < m.leads.size(); ++i) {
    const LeadMeasurements& l = m.leads[i];
    json j = {{"lead", l.lead}, {"canonical", l.canonical}, {"quality", QualityToJson(l.quality)},
              {"amplitudes", AmplitudesToJson(l.amplitudes)}};
    if (i < d.leads.size()) {
      const LeadDelineation& ld = d.leads[i];
      j["delineated"] = ld.usable;
      j["p_present"] = ld.p_present;
      j["fiducials"] = WavesToJson(ld.waves);
      j["intervals"] = IntervalsToJson(ld.intervals);
      if (median_beats) {
        json mb = json::array();
        for (double v : ld.median_beat) mb.push_back(NumberOrNull(v));
        j["median_beat_mv"] = std::move(mb);
      }
    }
    leads.push_back(std::move(j));
  }
  const EcgCriteria& c = m.criteria;
  return {
      {"record", m.record},
      {"format", m.format},
      {"fs_hz", m.fs},
      {"samples", m.samples},
      {"duration_s", m.fs > 0 ? static_cast<double>(m.samples) / m.fs : 0.0},
      {"leads_used_for_beats", m.beat_leads},
      {"beats", std::move(beats)},
      {"heart_rate_bpm", m.rr.beats >= 2 ? json(m.rr.heart_rate_bpm) : json(nullptr)},
      {"rr",
       m.rr.beats >= 2 ? json{{"mean_ms", m.rr.rr_mean_ms}, {"sd_ms", m.rr.rr_sd_ms}, {"min_ms", m.rr.rr_min_ms},
                              {"max_ms", m.rr.rr_max_ms}, {"rmssd_ms", m.rr.rmssd_ms}, {"cv", m.rr.rr_cv},
                              {"regular", m.rr.regular}}
                       : json(nullptr)},
      {"rhythm",
       {{"label", m.rhythm.label},
        {"dominant_rate_bpm", NumberOrNull(m.rhythm.heart_rate_bpm)},
        {"rr_irregularity", NumberOrNull(m.rhythm.rr_irregularity)},
        {"regular", m.rhythm.regular},
        {"p_waves", m.rhythm.p_waves},
        {"premature_supraventricular", m.rhythm.premature_supraventricular},
        {"premature_ventricular", m.rhythm.premature_ventricular},
        {"reason", m.rhythm.reason}}},
      {"rhythm_episodes",
       [&] {
         json e = json::array();
         for (const RhythmEpisode& r : m.rhythm_episodes)
           e.push_back({{"start_s", r.start_s}, {"end_s", r.end_s}, {"label", r.label}, {"beats", r.beats},
                        {"heart_rate_bpm", NumberOrNull(r.heart_rate_bpm)}});
         return e;
       }()},
      {"af_burden", NumberOrNull(m.af_burden)},
      {"median_beat",
       {{"beats_used", d.beats_used},
        {"length_samples", d.beat_length},
        {"r_index", d.r_index},
        {"p_present", d.p_present},
        {"fiducials", WavesToJson(d.global)}}},
      {"intervals", IntervalsToJson(d.intervals)},
      {"axes",
       {{"p_deg", NumberOrNull(m.axes.p_deg)},
        {"qrs_deg", NumberOrNull(m.axes.qrs_deg)},
        {"t_deg", NumberOrNull(m.axes.t_deg)},
        {"qrs_class", m.axes.qrs_class}}},
      {"criteria",
       {{"sokolow_lyon_mv", NumberOrNull(c.sokolow_lyon_mv)},
        {"r_avl_mv", NumberOrNull(c.r_avl_mv)},
        {"r_i_mv", NumberOrNull(c.r_i_mv)},
        {"cornell_mv", NumberOrNull(c.cornell_mv)},
        {"lvh_voltage", c.lvh_voltage},
        {"low_voltage_limb", c.low_voltage_limb},
        {"low_voltage_precordial", c.low_voltage_precordial},
        {"r_progression", c.r_progression},
        {"pathological_q_leads", c.pathological_q_leads},
        {"doubtful_q_leads", c.doubtful_q_leads},
        {"bundle_branch_block", c.bundle_branch_block},
        {"left_anterior_fascicular_block", c.left_anterior_fascicular_block},
        {"first_degree_av_block", c.first_degree_av_block}}},
      {"leads", std::move(leads)},
      {"amplitudes_plausible", m.amplitudes_plausible},
      {"warnings", m.warnings},
      {"notes", d.notes},
  };
}

}  // namespace ecgr1
