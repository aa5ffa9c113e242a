// check_accuracy — runs `ecgr1 check --json` on every report of an evaluation
// set (tests/data/check/eval/manifest.json) and prints how far `check` can be
// trusted as a gate:
//   per-report false-alarm rate  truthful reports on which check exits 1
//   per-claim false-alarm rate   contradicted claims that are not planted errors,
//                                among the judged (supported + contradicted) ones
//   errors caught                planted errors whose claim is contradicted
//   extraction recall            listed claims found with their kind
//   exit status                  1 exactly when a claim is contradicted
// and the time per report (the whole process, record reading included).
//
// A claim "is" a listed or planted one when its kind matches and its span
// overlaps the listed text in the report; any claim inside an edited passage
// ("edited" in the manifest) belongs to the planted error, not to the false
// alarms. With --require the program exits 1
// unless no truthful report exits 1, every planted error is caught, every exit
// status is right and recall is >= 95 % (the ctest `check_accuracy`).
//
// usage: ecgr1_check_accuracy [--require] [--emulator CMD] MANIFEST ECGR1_BINARY
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct Run {
  int exit_code = -1;
  std::string out;
  double ms = 0;
};

Run RunCheck(const std::string& cmd) {
  Run r;
  const auto t0 = std::chrono::steady_clock::now();
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot run " + cmd);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The claims of `kind` whose span overlaps `snippet`'s first occurrence in `text`.
std::vector<const nlohmann::json*> Matching(const nlohmann::json& claims, const std::string& text,
                                            const std::string& kind, const std::string& snippet) {
  std::vector<const nlohmann::json*> out;
  const size_t at = text.find(snippet);
  if (at == std::string::npos) return out;
  for (const nlohmann::json& c : claims) {
    const size_t b = c.at("byte_start").get<size_t>(), e = c.at("byte_end").get<size_t>();
    if (c.at("kind") == kind && b < at + snippet.size() && e > at) out.push_back(&c);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool require = false;
  std::string emulator;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--require") == 0) require = true;
    else if (std::strcmp(argv[i], "--emulator") == 0 && i + 1 < argc) emulator = argv[++i];
    else pos.push_back(argv[i]);
  }
  if (pos.size() != 2) {
    std::fprintf(stderr, "usage: ecgr1_check_accuracy [--require] [--emulator CMD] MANIFEST ECGR1_BINARY\n");
    return 2;
  }
  try {
    const std::string manifest_path = pos[0];
    const std::string dir = manifest_path.substr(0, manifest_path.find_last_of('/') + 1);
    const std::string data_root = dir + "../../";
    const nlohmann::json manifest = nlohmann::json::parse(ReadFile(manifest_path));
    int truthful = 0, truthful_alarms = 0, planted = 0, caught = 0, listed = 0, found = 0, wrong_exit = 0;
    int judged = 0, false_claims = 0;
    double total_ms = 0, max_ms = 0;
    std::printf("%-18s %-5s %4s %4s %4s %4s %7s  %s\n", "report", "kind", "exit", "sup", "con", "unv", "ms", "notes");
    for (const nlohmann::json& r : manifest.at("reports")) {
      const std::string report = dir + r.at("report").get<std::string>();
      const std::string text = ReadFile(report);
      const bool is_truthful = r.at("truthful").get<bool>();
      const std::string cmd = (emulator.empty() ? "" : emulator + " ") + Quote(pos[1]) + " check --json --ecg " +
                              Quote(data_root + r.at("record").get<std::string>()) + " " + Quote(report) + " 2>/dev/null";
      const Run run = RunCheck(cmd);
      total_ms += run.ms;
      max_ms = std::max(max_ms, run.ms);
      const nlohmann::json out = nlohmann::json::parse(run.out);
      const nlohmann::json& claims = out.at("claims");
      std::string notes;
      int sup = 0, con = 0, unv = 0;
      std::vector<const nlohmann::json*> planted_claims;
      for (const nlohmann::json& p : r.at("planted")) {
        ++planted;
        const auto m = Matching(claims, text, p.at("kind"), p.at("text"));
        bool hit = false;
        for (const nlohmann::json* c : m) {
          planted_claims.push_back(c);
          hit = hit || c->at("verdict") == "contradicted";
        }
        caught += hit ? 1 : 0;
        if (!hit) notes += " MISSED planted " + p.at("kind").get<std::string>() + " \"" + p.at("text").get<std::string>() + "\";";
      }
      for (const char* key : {"claims", "planted"})
        for (const nlohmann::json& e : r.at(key)) {
          ++listed;
          if (!Matching(claims, text, e.at("kind"), e.at("text")).empty()) ++found;
          else notes += " not extracted " + e.at("kind").get<std::string>() + " \"" + e.at("text").get<std::string>() + "\";";
        }
      for (const nlohmann::json& c : claims) {
        const std::string v = c.at("verdict");
        sup += v == "supported";
        con += v == "contradicted";
        unv += v == "unverifiable";
        bool is_planted = false;
        for (const nlohmann::json* p : planted_claims) is_planted = is_planted || p == &c;
        // Claims inside an edited passage belong to the planted error.
        if (r.contains("edited"))
          for (const nlohmann::json& e : r.at("edited")) {
            const std::string t = e.get<std::string>();
            const size_t at = text.find(t);
            const size_t b = c.at("byte_start").get<size_t>(), en = c.at("byte_end").get<size_t>();
            is_planted = is_planted || (at != std::string::npos && b < at + t.size() && en > at);
          }
        if (is_planted || v == "unverifiable") continue;
        ++judged;
        if (v == "contradicted") {
          ++false_claims;
          notes += " FALSE ALARM " + c.at("kind").get<std::string>() + " \"" + c.at("text").get<std::string>() +
                   "\": " + c.at("reason").get<std::string>() + ";";
        }
      }
      const int want_exit = con > 0 ? 1 : 0;
      if (run.exit_code != want_exit) ++wrong_exit, notes += " exit status " + std::to_string(run.exit_code) + ";";
      if (is_truthful) {
        ++truthful;
        truthful_alarms += run.exit_code == 1 ? 1 : 0;
      }
      std::printf("%-18s %-5s %4d %4d %4d %4d %7.1f %s\n", r.at("report").get<std::string>().c_str(),
                  is_truthful ? "true" : "error", run.exit_code, sup, con, unv, run.ms, notes.c_str());
    }
    const int n = static_cast<int>(manifest.at("reports").size());
    auto pct = [](int a, int b) { return b > 0 ? 100.0 * a / b : 0.0; };
    std::printf("\nper-report false-alarm rate  %d of %d truthful reports exit 1 (%.1f %%)\n", truthful_alarms, truthful,
                pct(truthful_alarms, truthful));
    std::printf("per-claim false-alarm rate   %d of %d judged claims that are not planted errors (%.1f %%)\n", false_claims,
                judged, pct(false_claims, judged));
    std::printf("errors caught                %d of %d planted errors contradicted (%.1f %%)\n", caught, planted,
                pct(caught, planted));
    std::printf("extraction recall            %d of %d listed claims found with their kind (%.1f %%)\n", found, listed,
                pct(found, listed));
    std::printf("exit status                  %d of %d reports exit 1 exactly when a claim is contradicted\n", n - wrong_exit, n);
    std::printf("time                         %.1f ms per report (mean, whole process), %.1f ms at most\n", total_ms / n, max_ms);
    if (require && (truthful_alarms > 0 || caught < planted || wrong_exit > 0 || found * 100 < listed * 95)) {
      std::fprintf(stderr, "check_accuracy: the targets are not met (see above)\n");
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "check_accuracy: %s\n", e.what());
    return 2;
  }
}
