// cmd_measure.cc — `ecgr1 measure RECORD [--json]`: what the signal itself says.
//
// Needs no model. Beats, rate and rhythm on any record; on records with enough
// leads also the median-beat delineation, intervals, axes, amplitudes and the
// protocol's criteria (see measure/ecg_measurements.h). With --annotations the
// detected beats are scored against a reference annotation file (AAMI EC57
// style, 150 ms window). Sample indices are at the record's own sampling rate.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "app/batch_runner.h"
#include "app/commands.h"
#include "base/error.h"
#include "io/ecg_record.h"
#include "io/wfdb_annotations.h"
#include "measure/beat_match.h"
#include "measure/ecg_measurements.h"
#include "measure/measurements_json.h"

namespace ecgr1 {
namespace {

struct MeasureFlags {
  BatchFlags batch;
  std::string record;
  std::string annotations;
  double fs = 0;
  bool json = false;
  bool median_beats = false;
};

// Reference beats against detections; annotated-in-part files (first to last
// annotation) are scored on that stretch only.
struct ReferenceScore {
  BeatMatchResult match;
  size_t reference_beats = 0;
  int64_t from = 0, to = 0;
};

ReferenceScore ScoreAgainst(const std::string& path, const EcgMeasurements& m) {
  const WfdbAnnotations a = ReadWfdbAnnotations(path);
  const std::vector<int64_t> ref = BeatSamples(a);
  if (ref.empty()) Fail(ExitCode::kBadInput, "%s: no beat annotations in this file (is it a WFDB beat annotation file?)", path.c_str());
  ReferenceScore s;
  s.reference_beats = ref.size();
  s.from = a.size() ? a.sample.front() : 0;
  s.to = a.size() ? a.sample.back() + 1 : 0;
  // A file that covers the whole record scores all of it.
  if (s.from <= static_cast<int64_t>(0.5 * m.fs) && s.to >= static_cast<int64_t>(m.samples) - static_cast<int64_t>(m.fs)) {
    s.from = 0;
    s.to = static_cast<int64_t>(m.samples);
  }
  std::vector<int64_t> got;
  for (const BeatInfo& b : m.beats) got.push_back(b.sample);
  s.match = MatchBeats(ref, got, m.fs, 0.150, s.from, s.to);
  return s;
}

// "123 ms" or "-" for a value that was not measured.
std::string Val(double v, const char* unit, int decimals = 0) {
  if (!std::isfinite(v)) return "-";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f %s", decimals, v, unit);
  return b;
}

std::string Cell(double v, int decimals = 2) {
  if (!std::isfinite(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

void PrintReport(const MeasureFlags& f, const EcgMeasurements& m, const ReferenceScore* ref) {
  const Delineation& d = m.delineation;
  const EcgIntervals& iv = d.intervals;
  std::printf("record        %s (%s)\n", f.record.c_str(), m.format.c_str());
  std::printf("signal        %zu leads, %.6g Hz, %zu samples (%.1f s)\n", m.leads.size(), m.fs, m.samples,
              m.fs > 0 ? static_cast<double>(m.samples) / m.fs : 0.0);
  std::printf("beats         %zu (detected on %zu leads; %d dominant, %d premature supraventricular, %d ventricular)\n",
              m.beats.size(), m.beat_leads.size(), CountBeats(m.beats, 'N'), CountBeats(m.beats, 'S'),
              CountBeats(m.beats, 'V'));
  if (ref) {
    std::printf("reference     %zu annotated beats: TP %lld, FN %lld, FP %lld, Se %.2f %%, +P %.2f %% (150 ms window)\n",
                ref->reference_beats, static_cast<long long>(ref->match.tp), static_cast<long long>(ref->match.fn),
                static_cast<long long>(ref->match.fp), 100 * ref->match.se(), 100 * ref->match.ppv());
  }
  if (m.rr.beats >= 2) {
    std::printf("heart rate    %.0f bpm\n", m.rr.heart_rate_bpm);
    std::printf("RR            mean %.0f ms, SD %.0f ms, range %.0f-%.0f ms, RMSSD %.0f ms, %s\n", m.rr.rr_mean_ms,
                m.rr.rr_sd_ms, m.rr.rr_min_ms, m.rr.rr_max_ms, m.rr.rmssd_ms, m.rr.regular ? "regular" : "irregular");
  }
  if (!m.rhythm.label.empty())
    std::printf("rhythm        %s (%s)\n", m.rhythm.label.c_str(), m.rhythm.reason.c_str());
  if (!m.rhythm_episodes.empty()) {
    std::printf("episodes      %zu rhythm episodes (10 s windows)", m.rhythm_episodes.size());
    if (std::isfinite(m.af_burden)) std::printf(", atrial fibrillation burden %.1f %%", 100 * m.af_burden);
    std::printf("\n");
    const size_t shown = std::min<size_t>(m.rhythm_episodes.size(), 20);
    for (size_t i = 0; i < shown; ++i) {
      const RhythmEpisode& e = m.rhythm_episodes[i];
      std::printf("              %8.1f-%8.1f s  %-32s %5d beats  %s\n", e.start_s, e.end_s,
                  e.label.empty() ? "(no rhythm named)" : e.label.c_str(), e.beats,
                  Val(e.heart_rate_bpm, "bpm").c_str());
    }
    if (shown < m.rhythm_episodes.size())
      std::printf("              ... %zu more in --json\n", m.rhythm_episodes.size() - shown);
  }
  if (std::isfinite(iv.qrs_ms)) {
    std::printf("intervals     PR %s, P %s, QRS %s, QT %s, QTc %s (Bazett) / %s (Fridericia); median of %d beats\n",
                Val(iv.pr_ms, "ms").c_str(), Val(iv.p_ms, "ms").c_str(), Val(iv.qrs_ms, "ms").c_str(),
                Val(iv.qt_ms, "ms").c_str(), Val(iv.qtc_bazett_ms, "ms").c_str(),
                Val(iv.qtc_fridericia_ms, "ms").c_str(), d.beats_used);
  }
  if (std::isfinite(m.axes.qrs_deg)) {
    std::printf("axes          P %s, QRS %s%s%s, T %s (frontal plane)\n", Val(m.axes.p_deg, "deg").c_str(),
                Val(m.axes.qrs_deg, "deg").c_str(), m.axes.qrs_class.empty() ? "" : ", ",
                m.axes.qrs_class.c_str(), Val(m.axes.t_deg, "deg").c_str());
  }
  const EcgCriteria& c = m.criteria;
  if (std::isfinite(c.sokolow_lyon_mv) || std::isfinite(c.cornell_mv) || std::isfinite(c.r_avl_mv)) {
    std::printf("voltage       Sokolow-Lyon %s, R aVL %s, Cornell %s%s%s%s%s\n", Val(c.sokolow_lyon_mv, "mV", 2).c_str(),
                Val(c.r_avl_mv, "mV", 2).c_str(), Val(c.cornell_mv, "mV", 2).c_str(),
                m.amplitudes_plausible ? "" : " (amplitudes implausible: see the warning)",
                c.lvh_voltage ? "; LVH voltage criteria met" : "",
                c.low_voltage_limb ? "; low voltage (limb leads)" : "",
                c.low_voltage_precordial ? "; low voltage (precordial leads)" : "");
  }
  if (!c.r_progression.empty()) std::printf("R progression %s (V1-V4)\n", c.r_progression.c_str());
  if (std::isfinite(iv.qrs_ms)) {
    std::string q;
    for (const std::string& l : c.pathological_q_leads) q += (q.empty() ? "" : ", ") + l;
    std::printf("Q waves       %s\n", q.empty() ? "no pathological Q waves" : ("pathological in " + q).c_str());
    std::string cond = c.bundle_branch_block.empty() ? "no bundle-branch block" : c.bundle_branch_block;
    if (c.left_anterior_fascicular_block) cond += "; left anterior fascicular block";
    if (c.first_degree_av_block) cond += "; first-degree AV block";
    std::printf("conduction    %s\n", cond.c_str());
  }
  std::printf("\n%-5s %-8s %6s %6s %5s %6s %6s %6s %6s %6s %6s %6s %6s   (mV; Q width ms)\n", "lead", "quality", "P",
              "Q", "Qw", "R", "S", "R'", "QRSpp", "ST@J", "ST+60", "ST+80", "T");
  for (const LeadMeasurements& l : m.leads) {
    const LeadAmplitudes& a = l.amplitudes;
    const std::string qual = l.quality.usable ? "ok" : l.quality.flat ? "flat" : l.quality.saturated ? "clipped" : "noisy";
    std::printf("%-5s %-8s %6s %6s %5s %6s %6s %6s %6s %6s %6s %6s %6s\n", l.lead.c_str(), qual.c_str(),
                Cell(a.p_mv).c_str(), Cell(a.q_mv).c_str(), Cell(a.q_ms, 0).c_str(), Cell(a.r_mv).c_str(),
                Cell(a.s_mv).c_str(), Cell(a.r_prime_mv).c_str(), Cell(a.qrs_pp_mv).c_str(), Cell(a.st_j_mv).c_str(),
                Cell(a.st_j60_mv).c_str(), Cell(a.st_j80_mv).c_str(), Cell(a.t_mv).c_str());
  }
  for (const LeadMeasurements& l : m.leads)
    if (!l.quality.problem.empty()) std::printf("quality       %s: %s\n", l.lead.c_str(), l.quality.problem.c_str());
  for (const std::string& w : m.warnings) std::printf("warning       %s\n", w.c_str());
  for (const std::string& note : d.notes) std::printf("note          %s\n", note.c_str());
}

// measure --json of one record.
nlohmann::json MeasureJson(const EcgRecord& rec, const EcgMeasurements& m, double ms, const std::string& record,
                           const std::string& annotations, const ReferenceScore* ref, bool median_beats) {
  nlohmann::json j = MeasurementsToJson(m, median_beats);
  j["record"] = record;
  j["leads_in_file"] = rec.leads;
  j["invalid_samples"] = rec.invalid_samples;
  j["reader_notes"] = rec.notes;
  if (ref) {
    j["reference"] = {{"annotations", annotations},
                      {"reference_beats", ref->reference_beats},
                      {"scored_from_sample", ref->from},
                      {"scored_to_sample", ref->to},
                      {"window_ms", 150},
                      {"tp", ref->match.tp},
                      {"fn", ref->match.fn},
                      {"fp", ref->match.fp},
                      {"sensitivity", ref->match.se()},
                      {"positive_predictivity", ref->match.ppv()},
                      {"missed", ref->match.missed},
                      {"extra", ref->match.extra}};
  }
  j["measure_ms"] = ms;
  return j;
}

struct Measured {
  EcgRecord rec;
  EcgMeasurements m;
  double ms = 0;
  std::unique_ptr<ReferenceScore> ref;
};

Measured MeasureRecord(const std::string& record, double fs, const std::string& annotations) {
  EcgReadOptions ro;
  ro.fs = fs;
  Measured out;
  out.rec = ReadEcgRecord(record, ro);
  const auto t0 = std::chrono::steady_clock::now();
  out.m = MeasureEcg(out.rec);
  out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!annotations.empty()) out.ref = std::make_unique<ReferenceScore>(ScoreAgainst(annotations, out.m));
  return out;
}

// One job of --batch: {"id", "ecg", optional "fs", "annotations", "median_beats"}.
nlohmann::json MeasureJob(const BatchJob& job, const MeasureFlags& f) {
  const std::string record = job.Path("ecg");
  if (record.empty()) Fail(ExitCode::kBadInput, "job %s (line %zu): no \"ecg\" record", job.id.dump().c_str(), job.line);
  double fs = f.fs;
  if (job.spec.contains("fs")) {
    if (!job.spec["fs"].is_number() || !(job.spec["fs"].get<double>() >= 1 && job.spec["fs"].get<double>() <= 1e5))
      Fail(ExitCode::kBadInput, "job %s (line %zu): \"fs\" must be a number of Hz in [1, 100000]", job.id.dump().c_str(), job.line);
    fs = job.spec["fs"].get<double>();
  }
  const std::string annotations = job.Path("annotations");
  bool median = f.median_beats;
  if (job.spec.contains("median_beats")) {
    if (!job.spec["median_beats"].is_boolean())
      Fail(ExitCode::kBadInput, "job %s (line %zu): \"median_beats\" must be true or false", job.id.dump().c_str(), job.line);
    median = job.spec["median_beats"].get<bool>();
  }
  const Measured r = MeasureRecord(record, fs, annotations);
  return MeasureJson(r.rec, r.m, r.ms, record, annotations, r.ref.get(), median);
}

int Run(const MeasureFlags& f) {
  if (!f.batch.jobs.empty()) {
    if (!f.record.empty() || !f.annotations.empty())
      Fail(ExitCode::kUsage, "--batch takes its records from the job file: give no record or --annotations");
    BatchRunner runner(f.batch, "measure");
    return runner.RunEach([&f](const BatchJob& job) { return MeasureJob(job, f); });
  }
  if (!f.batch.output.empty() || f.batch.resume || !f.batch.shard.empty())
    Fail(ExitCode::kUsage, "-o, --resume and --shard go with --batch");
  if (f.record.empty()) Fail(ExitCode::kUsage, "measure: give a record (or --batch JOBS.jsonl)");
  const Measured r = MeasureRecord(f.record, f.fs, f.annotations);
  if (f.json) {
    const nlohmann::json j = MeasureJson(r.rec, r.m, r.ms, f.record, f.annotations, r.ref.get(), f.median_beats);
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  PrintReport(f, r.m, r.ref.get());
  for (const std::string& n : r.rec.notes) std::printf("note          %s\n", n.c_str());
  return 0;
}

}  // namespace

Command AddMeasureCommand(CLI::App& app) {
  auto f = std::make_shared<MeasureFlags>();
  CLI::App* sub = app.add_subcommand(
      "measure",
      "Measure an ECG record (no model needed): beats, rate, rhythm, intervals, axes, amplitudes, criteria, quality");
  sub->add_option("record", f->record, "ECG record: WFDB (path/name, .hea, .dat, .mat), GE MUSE .xml, .csv or .npy");
  sub->add_option("--fs", f->fs, "Sampling rate in Hz for CSV/NPY records that do not state it")
      ->check(CLI::Range(1.0, 100000.0));
  sub->add_option("--annotations", f->annotations,
                  "Reference beat annotations (WFDB annotation file, e.g. rec.atr): report sensitivity and "
                  "positive predictivity of the detected beats");
  sub->add_flag("--json", f->json, "Print one JSON object (every beat's sample index, all measurements)");
  sub->add_flag("--median-beats", f->median_beats, "With --json: include each lead's median beat (mV)");
  AddBatchFlags(sub, f->batch, "\"ecg\" (a record), optional \"fs\", \"annotations\", \"median_beats\"; each result is "
                "measure --json's object");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
