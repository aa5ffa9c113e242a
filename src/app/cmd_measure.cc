// cmd_measure.cc — `ecgr1 measure RECORD [--json]`: what the signal itself says.
//
// Needs no model. For now: beats (multi-lead QRS detection), heart rate, RR
// statistics and regularity; wave delineation, intervals, axes and voltages
// come next. Sample indices are at the record's own sampling rate.
#include <chrono>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "io/ecg_record.h"
#include "measure/qrs_detector.h"
#include "measure/rhythm.h"

namespace ecgr1 {
namespace {

struct MeasureFlags {
  std::string record;
  double fs = 0;
  bool json = false;
};

int Run(const MeasureFlags& f) {
  EcgReadOptions ro;
  ro.fs = f.fs;
  const EcgRecord rec = ReadEcgRecord(f.record, ro);
  const auto t0 = std::chrono::steady_clock::now();
  QrsDetectorInfo info;
  const std::vector<int64_t> beats = DetectQrs(rec, &info);
  const RhythmSummary r = SummarizeRhythm(beats, rec.fs);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::vector<std::string> used;
  for (int i : info.leads_used) used.push_back(rec.leads[static_cast<size_t>(i)]);
  if (f.json) {
    nlohmann::json b = nlohmann::json::array();
    for (int64_t s : beats) b.push_back({{"sample", s}, {"time_s", static_cast<double>(s) / rec.fs}});
    const nlohmann::json j = {
        {"record", f.record},
        {"format", rec.format},
        {"fs_hz", rec.fs},
        {"samples", rec.length()},
        {"duration_s", static_cast<double>(rec.length()) / rec.fs},
        {"leads", rec.leads},
        {"leads_used_for_beats", used},
        {"invalid_samples", rec.invalid_samples},
        {"notes", rec.notes},
        {"beats", b},
        {"heart_rate_bpm", r.heart_rate_bpm},
        {"rr_ms", {{"mean", r.rr_mean_ms}, {"sd", r.rr_sd_ms}, {"min", r.rr_min_ms}, {"max", r.rr_max_ms},
                   {"rmssd", r.rmssd_ms}, {"cv", r.rr_cv}}},
        {"rhythm_regular", r.regular},
        {"measure_ms", ms},
    };
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("record        %s (%s)\n", f.record.c_str(), rec.format.c_str());
  std::printf("signal        %zu leads, %.6g Hz, %zu samples (%.1f s)\n", rec.leads.size(), rec.fs, rec.length(),
              static_cast<double>(rec.length()) / rec.fs);
  std::printf("beats         %zu (detected on %zu leads)\n", beats.size(), used.size());
  if (beats.size() >= 2) {
    std::printf("heart rate    %.0f bpm\n", r.heart_rate_bpm);
    std::printf("RR            mean %.0f ms, SD %.0f ms, range %.0f-%.0f ms, RMSSD %.0f ms\n", r.rr_mean_ms, r.rr_sd_ms,
                r.rr_min_ms, r.rr_max_ms, r.rmssd_ms);
    std::printf("rhythm        %s (RR coefficient of variation %.1f %%)\n", r.regular ? "regular" : "irregular",
                100.0 * r.rr_cv);
  }
  for (const std::string& n : rec.notes) std::printf("note          %s\n", n.c_str());
  return 0;
}

}  // namespace

Command AddMeasureCommand(CLI::App& app) {
  auto f = std::make_shared<MeasureFlags>();
  CLI::App* sub = app.add_subcommand("measure", "Measure an ECG record (no model needed): beats, heart rate, RR intervals");
  sub->add_option("record", f->record, "ECG record: WFDB (path/name, .hea, .dat, .mat), .csv or .npy")->required();
  sub->add_option("--fs", f->fs, "Sampling rate in Hz for CSV/NPY records that do not state it")
      ->check(CLI::Range(1.0, 100000.0));
  sub->add_flag("--json", f->json, "Print one JSON object with every beat's sample index");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
