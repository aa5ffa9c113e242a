// cmd_check.cc — `ecgr1 check [OUTPUT|-] [--ecg RECORD] [--fs HZ] [--solution FILE] [--json]`:
// verifies an ECG-R1 output. Needs no model.
//
// Reads the model output (a file or standard input; plain text or the --json
// of `ecgr1 interpret`), lists its protocol structure, computes the format
// reward (and, with --solution, the evidence and diagnosis rewards of
// ../shared/spec/evidence.md), extracts every checkable claim and, with --ecg,
// judges each one against the record's own measurements (check/verify.h).
//
// Exit status is this command's own contract (a pipeline gates on it):
// 0 nothing contradicted, 1 at least one claim contradicted, 2 bad input or
// usage (any unreadable/malformed file, bad flag or EVIDENCE_WEIGHT). The
// whole report is built before anything is printed, so an error never leaves
// a partial report on stdout.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/batch_runner.h"
#include "app/check_html.h"
#include "base/atomic_file.h"
#include "app/commands.h"
#include "base/error.h"
#include "base/mapped_file.h"
#include "check/claims.h"
#include "check/output_structure.h"
#include "check/rewards.h"
#include "check/verify.h"
#include "io/ecg_record.h"
#include "measure/ecg_measurements.h"
#include "measure/measurements_json.h"
#include "text/utf8.h"

namespace ecgr1 {
namespace {

struct CheckFlags {
  BatchFlags batch;
  std::string html;  // also write the evidence report as a page here
  std::string output = "-";
  std::string ecg;
  double fs = 0;
  std::string solution;
  bool json = false;
};

constexpr size_t kMaxInputBytes = size_t{64} << 20;

// The bytes of a file, or of standard input for "-"; Error(kBadInput) naming the file when it cannot be read.
std::string ReadInputFile(const std::string& path, const char* what) {
  if (path == "-") return TextArgument("-", what);
  return ReadSmallFile(path, ExitCode::kBadInput, kMaxInputBytes);
}

// Unicode code point offsets of every byte offset (valid UTF-8 assumed: a
// continuation byte never starts a code point).
std::vector<size_t> CodePointIndex(const std::string& s) {
  std::vector<size_t> idx(s.size() + 1);
  size_t cp = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    idx[i] = cp;
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++cp;
  }
  idx[s.size()] = cp;
  // A byte offset inside a code point maps to the code point it belongs to.
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80 && idx[i] > 0) idx[i] = idx[i] - 1;
  return idx;
}

// A claim's text for one report line: control characters as spaces, at most ~100 bytes.
std::string OneLine(const std::string& s, size_t max_bytes = 100) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (out.size() >= max_bytes && (c & 0xC0) != 0x80) {
      out += "...";
      break;
    }
    out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
  }
  return out;
}

std::string Fixed(double v, int digits) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

nlohmann::json MeasurementsJson(const EcgMeasurements& m) {
  const EcgIntervals& iv = m.delineation.intervals;
  std::vector<std::string> leads;
  for (const LeadMeasurements& l : m.leads) leads.push_back(l.lead);
  const EcgCriteria& c = m.criteria;
  return {
      {"record", m.record},
      {"format", m.format},
      {"fs_hz", m.fs},
      {"samples", m.samples},
      {"leads", leads},
      {"beats", m.beats.size()},
      {"beat_classes",
       {{"N", CountBeats(m.beats, 'N')}, {"S", CountBeats(m.beats, 'S')}, {"V", CountBeats(m.beats, 'V')},
        {"unclassified", CountBeats(m.beats, 'Q')}}},
      {"heart_rate_bpm", m.rr.beats >= 2 ? NumberOrNull(m.rr.heart_rate_bpm) : NumberOrNull(iv.heart_rate_bpm)},
      {"rr_cv", m.rr.beats >= 3 ? NumberOrNull(m.rr.rr_cv) : nlohmann::json(nullptr)},
      {"rhythm", m.rhythm.label.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.rhythm.label)},
      {"intervals_ms",
       {{"pr", NumberOrNull(iv.pr_ms)},
        {"p", NumberOrNull(iv.p_ms)},
        {"qrs", NumberOrNull(iv.qrs_ms)},
        {"qt", NumberOrNull(iv.qt_ms)},
        {"qtc_bazett", NumberOrNull(iv.qtc_bazett_ms)},
        {"qtc_fridericia", NumberOrNull(iv.qtc_fridericia_ms)}}},
      {"axes_deg",
       {{"p", NumberOrNull(m.axes.p_deg)},
        {"qrs", NumberOrNull(m.axes.qrs_deg)},
        {"t", NumberOrNull(m.axes.t_deg)},
        {"qrs_class", m.axes.qrs_class.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.axes.qrs_class)}}},
      {"criteria",
       {{"sokolow_lyon_mv", NumberOrNull(c.sokolow_lyon_mv)},
        {"r_avl_mv", NumberOrNull(c.r_avl_mv)},
        {"r_i_mv", NumberOrNull(c.r_i_mv)},
        {"cornell_mv", NumberOrNull(c.cornell_mv)},
        {"r_progression", c.r_progression.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.r_progression)},
        {"bundle_branch_block", c.bundle_branch_block},
        {"pathological_q_leads", c.pathological_q_leads},
        {"doubtful_q_leads", c.doubtful_q_leads}}},
      {"amplitudes_plausible", m.amplitudes_plausible},
  };
}

struct Report {
  std::string input, record;
  std::string text;  // the model text
  ParsedOutput parsed;
  std::vector<Claim> claims;
  std::vector<ClaimVerdict> verdicts;
  std::optional<EcgRecord> rec;
  std::optional<EcgMeasurements> m;
  double format = 0;
  std::optional<EvidenceReward> evidence;
  std::optional<double> diagnosis;
  std::vector<std::string> warnings;
  int supported = 0, contradicted = 0, unverifiable = 0;
};

// The JSON report as text. Claims are serialised one at a time (a 64 MB
// output can carry 10^5 claims; a whole nlohmann tree of them would take
// gigabytes), then spliced in front of the other members.
std::string ReportJson(const Report& r) {
  nlohmann::json rewards = {{"format", r.format}};
  if (r.evidence) {
    const EvidenceReward& e = *r.evidence;
    rewards["evidence"] = e.reward;
    nlohmann::json steps = nlohmann::json::array();
    for (const EvidenceStep& s : e.steps) {
      nlohmann::json hits = nlohmann::json::array();
      for (bool h : s.hit) hits.push_back(h);
      steps.push_back({{"step", s.step},
                       {"key", s.key},
                       {"counted", s.counted},
                       {"step_found", s.step_found},
                       {"phrases", s.phrases},
                       {"hit", hits},
                       {"score", s.score}});
    }
    rewards["evidence_detail"] = {{"weight", e.weight},
                                  {"counted_steps", e.counted},
                                  {"think_found", e.think_found},
                                  {"model_steps", e.model_steps},
                                  {"solution_keys", e.solution_keys},
                                  {"steps", steps}};
  }
  if (r.diagnosis) rewards["diagnosis"] = *r.diagnosis;

  const ParsedOutput& p = r.parsed;
  nlohmann::json step_numbers = nlohmann::json::array(), titles = nlohmann::json::array();
  for (const Step& s : p.steps) {
    step_numbers.push_back(s.number);
    titles.push_back(s.title);
  }
  const nlohmann::json structure = {{"think", p.has_think},
                                    {"think_closed", p.think_closed},
                                    {"steps", step_numbers},
                                    {"step_titles", titles},
                                    {"step_headers", p.step_headers},
                                    {"narrative", !p.narrative.empty()},
                                    {"answer", p.has_answer},
                                    {"answer_labels", p.answer_labels},
                                    {"problems", p.problems}};

  const std::vector<size_t> cp = CodePointIndex(r.text);
  const auto dump = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::string claims = "[";
  for (size_t i = 0; i < r.claims.size(); ++i) {
    const Claim& c = r.claims[i];
    const ClaimVerdict& v = r.verdicts[i];
    if (i > 0) claims += ',';
    claims += dump({
        {"step", c.step},
        {"kind", c.kind},
        {"qualifier", c.qualifier},
        {"text", c.text},
        {"start", cp[c.start]},
        {"end", cp[c.end]},
        {"byte_start", c.start},
        {"byte_end", c.end},
        {"relation", RelationName(c.relation)},
        {"claimed", NumberOrNull(c.value)},
        {"claimed_hi", NumberOrNull(c.value_hi)},
        {"unit", c.unit.empty() ? v.measured_unit : c.unit},
        {"unit_original", c.unit_original},
        {"negated", c.negated},
        {"uncertain", c.uncertain},
        {"modifier", c.modifier},
        {"criterion", c.criterion},
        {"leads", c.leads},
        {"measured", NumberOrNull(v.measured)},
        {"measured_unit", v.measured_unit},
        {"measured_text", v.measured_text},
        {"tolerance", NumberOrNull(v.tolerance)},
        {"verdict", VerdictName(v.verdict)},
        {"reason", v.reason},
        {"measurement", v.measurement},
        {"rule", v.rule},
        {"measurement_doubt", v.doubt},
    });
  }
  claims += ']';
  const nlohmann::json rest = {
      {"input", r.input},
      {"record", r.record.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.record)},
      {"rewards", rewards},
      {"structure", structure},
      {"measurements", r.m ? MeasurementsJson(*r.m) : nlohmann::json(nullptr)},
      {"warnings", r.warnings},
      {"summary",
       {{"claims", r.claims.size()},
        {"supported", r.supported},
        {"contradicted", r.contradicted},
        {"unverifiable", r.unverifiable}}},
  };
  const std::string tail = dump(rest);  // "{...}": never empty
  return "{\"claims\":" + claims + (tail.size() > 2 ? "," : "") + tail.substr(1) + "\n";
}

std::string ReportText(const Report& r) {
  std::string o;
  auto line = [&o](const std::string& s) { o += s + "\n"; };
  line("input         " + OneLine(r.input, 200));
  line("record        " + (r.record.empty() ? std::string("none (claims are listed, not judged; give --ecg RECORD)")
                                             : OneLine(r.record, 200)));
  const ParsedOutput& p = r.parsed;
  std::string steps;
  for (const Step& s : p.steps) steps += (steps.empty() ? "" : " ") + std::to_string(s.number);
  std::string labels;
  for (const std::string& l : p.answer_labels) labels += (labels.empty() ? "" : "; ") + l;
  line("structure     <think> " + std::string(!p.has_think ? "missing" : p.think_closed ? "closed" : "unclosed") +
       "; steps " + (steps.empty() ? "none" : steps) + "; narrative " + (p.narrative.empty() ? "none" : "yes") +
       "; answer " + (p.has_answer ? "[" + OneLine(labels, 200) + "]" : "missing"));
  for (const std::string& pr : p.problems) line("problem       " + OneLine(pr, 200));
  std::string rw = "format " + Fixed(r.format, 0);
  if (r.evidence) rw += "  evidence " + Fixed(r.evidence->reward, 3) + " (weight " + Fixed(r.evidence->weight, 3) +
                        ", " + std::to_string(r.evidence->counted) + " steps counted)";
  if (r.diagnosis) rw += "  diagnosis " + Fixed(*r.diagnosis, 3);
  if (!r.evidence) rw += "  (evidence and diagnosis need --solution)";
  line("rewards       " + rw);
  if (r.m) {
    const EcgMeasurements& m = *r.m;
    const EcgIntervals& iv = m.delineation.intervals;
    const double hr = m.rr.beats >= 2 ? m.rr.heart_rate_bpm : iv.heart_rate_bpm;
    line("measured      " + std::to_string(m.beats.size()) + " beats, rate " + Fixed(hr, 0) + " bpm, rhythm " +
         (m.rhythm.label.empty() ? std::string("n/a") : m.rhythm.label) + "; PR " + Fixed(iv.pr_ms, 0) + " ms, QRS " +
         Fixed(iv.qrs_ms, 0) + " ms, QT " + Fixed(iv.qt_ms, 0) + " ms, QTc " + Fixed(iv.qtc_bazett_ms, 0) +
         " ms (Bazett) / " + Fixed(iv.qtc_fridericia_ms, 0) + " ms (Fridericia); QRS axis " + Fixed(m.axes.qrs_deg, 0) +
         " deg");
  }
  for (const std::string& w : r.warnings) line("warning       " + OneLine(w, 300));
  std::string current = "\x01";
  for (size_t i = 0; i < r.claims.size(); ++i) {
    const Claim& c = r.claims[i];
    const ClaimVerdict& v = r.verdicts[i];
    if (c.step != current) {
      current = c.step;
      line("");
      line(c.step == "narrative" ? "Narrative" : c.step == "answer" ? "Answer" : "Step " + OneLine(c.step, 20));
    }
    char head[64];
    std::snprintf(head, sizeof(head), "  %-13s %-20s", VerdictName(v.verdict), c.kind.c_str());
    const char* mark = c.criterion ? "CRITERION " : c.uncertain ? "HEDGED " : c.negated ? "NOT " : "";
    line(std::string(head) + mark + "\"" + OneLine(c.text) + "\"  -- " + OneLine(v.reason, 300));
  }
  line("");
  line("summary       " + std::to_string(r.claims.size()) + " claims: " + std::to_string(r.supported) + " supported, " +
       std::to_string(r.contradicted) + " contradicted, " + std::to_string(r.unverifiable) + " unverifiable");
  return o;
}

// `text`: the model output itself (a --batch job's "text"); otherwise it is read from f.output.
Report BuildReport(const CheckFlags& f, const std::string* text = nullptr) {
  if (text == nullptr && f.output == "-" && f.solution == "-")
    Fail(ExitCode::kUsage, "the model output and --solution cannot both be read from standard input");
  Report r;
  r.input = text ? "(job text)" : f.output == "-" ? "(standard input)" : f.output;
  r.text = ModelTextFromInput(text ? *text : ReadInputFile(f.output, "model output"));
  r.parsed = ParseOutput(r.text);
  r.claims = ExtractClaims(r.text);
  r.format = FormatReward(r.text);
  if (!f.solution.empty()) {
    std::string bytes = ReadInputFile(f.solution, "solution");
    std::string sol;
    utf8::AppendSanitized(bytes, &sol);
    const Solution s = ParseSolution(sol, f.solution == "-" ? "(standard input) solution" : f.solution);
    const double weight = EvidenceWeightFromEnv();
    r.evidence = EvidenceRewardOf(r.text, s, weight);
    r.diagnosis = DiagnosisReward(r.text, s);
  }
  if (!f.ecg.empty()) {
    EcgReadOptions ro;
    ro.fs = f.fs;
    r.record = f.ecg;
    r.rec = ReadEcgRecord(f.ecg, ro);
    r.m = MeasureEcg(*r.rec);
    r.warnings = r.m->warnings;
    if (!r.m->amplitudes_plausible) {
      // The gate's reason is one of the measurement's warnings; name it when it is not.
      const std::string why = AmplitudeGateWarning(*r.m);
      bool listed = false;
      for (const std::string& w : r.warnings) listed = listed || w == why;
      r.warnings.push_back("amplitude plausibility gate: voltage, ST, Q-wave and other amplitude claims are not judged" +
                           (listed ? std::string() : " (" + why + ")"));
    }
  } else {
    r.warnings.push_back("no record given (--ecg): every claim is unverifiable");
  }
  r.verdicts = VerifyClaims(r.claims, r.m ? &*r.m : nullptr, r.text);
  for (const ClaimVerdict& v : r.verdicts) {
    if (v.verdict == ClaimVerdict::kSupported) ++r.supported;
    else if (v.verdict == ClaimVerdict::kContradicted) ++r.contradicted;
    else ++r.unverifiable;
  }
  return r;
}

// One job of --batch: {"id", "output" (a file) or "text", optional "ecg", "fs", "solution"}.
nlohmann::json CheckJob(const BatchJob& job, const CheckFlags& common, size_t* contradicted) {
  CheckFlags f = common;
  f.json = true;
  f.output = job.Path("output");
  f.ecg = job.spec.contains("ecg") ? job.Path("ecg") : common.ecg;
  f.solution = job.spec.contains("solution") ? job.Path("solution") : common.solution;
  if (job.spec.contains("fs")) {
    if (!job.spec["fs"].is_number() || !(job.spec["fs"].get<double>() >= 1 && job.spec["fs"].get<double>() <= 1e5))
      Fail(ExitCode::kUsage, "job %s (line %zu): \"fs\" must be a number of Hz in [1, 100000]", job.id.dump().c_str(), job.line);
    f.fs = job.spec["fs"].get<double>();
  }
  const bool has_text = job.spec.contains("text");
  if (has_text == !f.output.empty())
    Fail(ExitCode::kUsage, "job %s (line %zu): give the model output as \"output\" (a file) or \"text\", one of them",
         job.id.dump().c_str(), job.line);
  const std::string text = has_text ? job.String("text") : std::string();
  try {
    const Report r = BuildReport(f, has_text ? &text : nullptr);
    if (r.contradicted > 0) ++*contradicted;
    return nlohmann::json::parse(ReportJson(r));
  } catch (const Error& e) {
    throw Error(ExitCode::kUsage, e.what());  // check's contract: bad input is 2
  }
}

int Run(const CheckFlags& f) {
  if (!f.batch.jobs.empty()) {
    if (!f.html.empty()) Fail(ExitCode::kUsage, "--html writes one record's page: not with --batch");
    if (f.output != "-") Fail(ExitCode::kUsage, "--batch takes the model outputs from the job file: give no output file");
    BatchRunner runner(f.batch, "check");
    size_t contradicted = 0;
    const int rc = runner.RunEach([&](const BatchJob& job) { return CheckJob(job, f, &contradicted); },
                                  static_cast<int>(ExitCode::kUsage));
    if (rc == 0 && contradicted > 0) {
      std::fprintf(stderr, "ecgr1: check batch: %zu record%s with contradicted claims (exit status 1)\n", contradicted,
                   contradicted == 1 ? "" : "s");
      return 1;
    }
    return rc;
  }
  if (!f.batch.output.empty() || f.batch.resume || !f.batch.shard.empty())
    Fail(ExitCode::kUsage, "-o, --resume and --shard go with --batch");
  std::string out, html;
  int contradicted = 0;
  try {
    const Report r = BuildReport(f);
    out = f.json ? ReportJson(r) : ReportText(r);
    contradicted = r.contradicted;
    if (!f.html.empty())
      html = CheckReportHtml(nlohmann::json::parse(f.json ? out : ReportJson(r)), r.text, r.rec ? &*r.rec : nullptr,
                             r.m ? &*r.m : nullptr);
  } catch (const Error& e) {
    // This command's contract: every bad input is exit status 2 (1 means "contradicted").
    std::string msg = e.what();
    for (char& c : msg)
      if (c == '\n' || c == '\r') c = ' ';
    throw Error(ExitCode::kUsage, msg);
  }
  if (!f.html.empty()) {
    AtomicOutputFile page(f.html);
    page.Write(html.data(), html.size());
    page.Commit();
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (contradicted > 0) {  // exit 1 is a verdict, not a failure; say so where a pipeline's log shows it
    std::fflush(stdout);
    std::fprintf(stderr, "ecgr1: check: %d claim%s contradicted by the record (exit status 1)\n", contradicted,
                 contradicted == 1 ? "" : "s");
    return 1;
  }
  return 0;
}

}  // namespace

Command AddCheckCommand(CLI::App& app) {
  auto f = std::make_shared<CheckFlags>();
  CLI::App* sub = app.add_subcommand(
      "check",
      "Check an ECG-R1 output (no model needed): protocol structure, the RL rewards, and every checkable claim "
      "judged against the record's own measurements (supported / contradicted / unverifiable).");
  sub->footer(
      "Exit status: 0 nothing contradicted; 1 at least one claim contradicted; 2 bad input or usage (unreadable "
      "or malformed output, solution or record file; bad flag or EVIDENCE_WEIGHT). An internal error, which should "
      "never happen, also exits 1. Errors are one line on stderr naming the file.");
  sub->add_option("output", f->output,
                  "Model output: a file, or - for standard input (default); plain ECG-R1 text or the --json of "
                  "`ecgr1 interpret`");
  sub->add_option("--ecg", f->ecg, "ECG record to judge the claims against: WFDB (path/name, .hea, .dat, .mat), "
                                   ".csv, .npy or MUSE .xml");
  sub->add_option("--fs", f->fs, "Sampling rate in Hz for CSV/NPY records that do not state it")
      ->check(CLI::Range(1.0, 100000.0));
  sub->add_option("--solution", f->solution,
                  "Ground truth in ECG-R1's RL format (<|answer|>...<|/answer|> and "
                  "<|key_diagnostic_evidence|>...): adds the evidence and diagnosis rewards (EVIDENCE_WEIGHT "
                  "environment variable = the evidence weight, default 1)");
  sub->add_flag("--json", f->json,
                "Print one JSON object: rewards, structure, claims (offsets in Unicode code points of the model text, "
                "byte_start/byte_end in bytes), measurements, warnings, summary");
  sub->add_option("--html", f->html,
                  "Also write the evidence report as one self-contained page: the printout with the measured "
                  "fiducials, the median beats, the text with every claim marked (hover or Tab for why)");
  AddBatchFlags(sub, f->batch,
                "the model output as \"output\" (a file) or \"text\", optional \"ecg\", \"fs\", \"solution\" (default: "
                "the flags); each result is check --json's object; exit 1 when any record has a contradicted claim");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
