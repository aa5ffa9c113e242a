// Tests of per-lead signal quality (measure/signal_quality.h), tag [quality]:
//   - the all-zero edge record (tests/data/ecg/edge/bad-ecg): every lead flat, unusable;
//   - synthetic records with one defect per lead and known size: white noise,
//     50 Hz mains, clipping at a rail (R tops, and a long stuck segment),
//     baseline wander of known peak-to-peak, a noise burst in one beat (that
//     beat, and only it, excluded in that lead), a flat lead among good ones;
//   - real records: clean 12-lead records are usable; the 30-min 2-lead
//     MIT-BIH 100 at 360 Hz (shared folder) and 50 Hz input work;
//   - odd input (empty, 1 sample, NaN, beats outside the record): no crash.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "io/ecg_record.h"
#include "measure/qrs_detector.h"
#include "measure/signal_quality.h"
#include "test_util.h"

using namespace ecgr1;

namespace {

const std::string kEcg = std::string(ECGR1_TEST_DATA) + "/ecg";

double HalfSine(double t, double t0, double w, double amp) {
  return t > t0 && t < t0 + w ? amp * std::sin(M_PI * (t - t0) / w) : 0.0;
}

// A clean beat (ms from R): P 0.15 mV, qRS (R 1.5 mV), T 0.3 mV.
double Beat(double t) {
  return HalfSine(t, -200, 100, 0.15) + HalfSine(t, -40, 20, -0.1) + HalfSine(t, -20, 40, 1.5) +
         HalfSine(t, 20, 30, -0.3) + HalfSine(t, 150, 200, 0.3);
}

// `leads` identical clean leads, beats every 800 ms from 400 ms; returns the beat samples too.
EcgRecord CleanRecord(double fs, double seconds, int leads, std::vector<int64_t>* beats) {
  EcgRecord rec;
  rec.fs = fs;
  const size_t n = static_cast<size_t>(seconds * fs);
  for (int l = 0; l < leads; ++l) rec.leads.push_back("L" + std::to_string(l));
  rec.signal.assign(leads, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    const double t = 1000.0 * i / fs;
    const double k = std::floor((t - 400) / 800 + 0.5);
    const double v = Beat(t - (400 + 800 * k));
    for (int l = 0; l < leads; ++l) rec.signal[l][i] = v;
  }
  beats->clear();
  for (double t = 400; t < 1000.0 * seconds; t += 800) beats->push_back(std::lround(t * fs / 1000.0));
  return rec;
}

}  // namespace

TEST_CASE("quality: the all-zero edge record is flat and unusable in every lead", "[quality]") {
  const EcgRecord rec = ReadEcgRecord(kEcg + "/edge/bad-ecg");
  const std::vector<int64_t> beats = DetectQrs(rec);
  const std::vector<LeadQuality> q = AssessSignalQuality(rec, beats);
  REQUIRE(q.size() == rec.leads.size());
  REQUIRE(!q.empty());
  for (const LeadQuality& l : q) {
    CHECK(l.flat);
    CHECK_FALSE(l.usable);
    CHECK_FALSE(l.saturated);  // flat, not clipped
    CHECK(l.problem.find("flat") != std::string::npos);
  }
}

TEST_CASE("quality: one defect per lead, each found with its size", "[quality]") {
  const double fs = 500;
  std::vector<int64_t> beats;
  EcgRecord rec = CleanRecord(fs, 10, 7, &beats);
  const size_t n = rec.length();
  std::mt19937 rng(3);
  std::normal_distribution<double> g(0.0, 1.0);
  // 0: clean. 1: white noise 0.2 mV RMS. 2: 50 Hz, 0.1 mV amplitude.
  for (size_t i = 0; i < n; ++i) rec.signal[1][i] += 0.2 * g(rng);
  for (size_t i = 0; i < n; ++i) rec.signal[2][i] += 0.1 * std::sin(2 * M_PI * 50 * i / fs);
  // 3: clipped at +0.8 mV (every R top, ~19 ms a beat).
  for (double& v : rec.signal[3]) v = std::min(v, 0.8);
  // 4: baseline wander 0.2 Hz, 1.0 mV peak-to-peak.
  for (size_t i = 0; i < n; ++i) rec.signal[4][i] += 0.5 * std::sin(2 * M_PI * 0.2 * i / fs);
  // 5: flat (a disconnected lead reading a constant).
  std::fill(rec.signal[5].begin(), rec.signal[5].end(), 0.37);
  // 6: a 1 mV RMS noise burst around the 5th beat only.
  const int64_t bad = beats[4];
  for (int64_t i = bad - 100; i < bad + 200; ++i) rec.signal[6][i] += 1.0 * g(rng);

  const std::vector<LeadQuality> q = AssessSignalQuality(rec, beats);
  REQUIRE(q.size() == 7);
  // Clean.
  CHECK(q[0].usable);
  CHECK_FALSE(q[0].flat);
  CHECK_FALSE(q[0].saturated);
  CHECK(q[0].noise_mv < 0.01);
  CHECK(q[0].baseline_wander_mv < 0.1);
  CHECK(q[0].excluded_beats.empty());
  CHECK(q[0].problem.empty());
  // White noise: 84 % of its power lies above 40 Hz at 500 Hz.
  CHECK(q[1].noise_mv == Approx(0.2 * std::sqrt(0.84)).epsilon(0.2));
  CHECK_FALSE(q[1].usable);
  CHECK(q[1].problem.find("noisy") != std::string::npos);
  // Mains: counted as noise, but 0.07 mV RMS leaves the lead usable.
  CHECK(q[2].noise_mv > 0.03);
  CHECK(q[2].noise_mv < 0.08);
  CHECK(q[2].usable);
  // Clipped.
  CHECK(q[3].saturated);
  CHECK_FALSE(q[3].usable);
  CHECK(q[3].problem.find("saturated") != std::string::npos);
  CHECK(q[3].excluded_beats.size() >= beats.size() - 1);
  // Wander.
  CHECK(q[4].baseline_wander_mv == Approx(1.0).epsilon(0.1));
  CHECK(q[4].usable);
  CHECK(q[4].noise_mv < 0.01);
  // Flat.
  CHECK(q[5].flat);
  CHECK_FALSE(q[5].usable);
  // Noise burst: only that beat excluded; the lead as a whole stays usable.
  REQUIRE(q[6].excluded_beats.size() == 1);
  CHECK(q[6].excluded_beats[0] == bad);
  CHECK(q[6].usable);
}

TEST_CASE("quality: a lead stuck at its rail for half a second is saturated", "[quality]") {
  std::vector<int64_t> beats;
  EcgRecord rec = CleanRecord(360, 20, 2, &beats);
  // Lead 1: the signal runs into the ADC's top (2.0 mV) for 0.5 s.
  for (size_t i = 3600; i < 3780; ++i) rec.signal[1][i] = 2.0;
  const std::vector<LeadQuality> q = AssessSignalQuality(rec, beats);
  CHECK_FALSE(q[0].saturated);
  CHECK(q[1].saturated);
  CHECK_FALSE(q[1].usable);
  // The beats whose window touches the stuck run are excluded.
  for (int64_t b : q[1].excluded_beats) CHECK(std::llabs(b - 3690) < 360);
  CHECK_FALSE(q[1].excluded_beats.empty());
}

TEST_CASE("quality: low sampling rate, long records and odd input", "[quality]") {
  {  // 50 Hz: the noise cut-off falls to 20 Hz; a clean record stays usable.
    std::vector<int64_t> beats;
    const EcgRecord rec = CleanRecord(50, 10, 2, &beats);
    const std::vector<LeadQuality> q = AssessSignalQuality(rec, beats);
    REQUIRE(q.size() == 2);
    CHECK(q[0].usable);
    CHECK(std::isfinite(q[0].noise_mv));
    CHECK(std::isfinite(q[0].baseline_wander_mv));
  }
  {  // 2-lead, 30 min at 360 Hz (synthetic): O(n), clean.
    std::vector<int64_t> beats;
    const EcgRecord rec = CleanRecord(360, 1800, 2, &beats);
    const std::vector<LeadQuality> q = AssessSignalQuality(rec, beats);
    CHECK(q[0].usable);
    CHECK(q[1].excluded_beats.empty());
  }
  {  // Empty, one sample, NaN samples, beats outside the record.
    EcgRecord rec;
    rec.fs = 500;
    CHECK(AssessSignalQuality(rec, {}).empty());
    rec.leads = {"I", "II"};
    rec.signal = {{}, {}};
    std::vector<LeadQuality> q = AssessSignalQuality(rec, {5, -3});
    REQUIRE(q.size() == 2);
    CHECK(q[0].flat);
    CHECK_FALSE(q[0].usable);
    rec.signal = {{1.0}, {NAN}};
    q = AssessSignalQuality(rec, {0, 1, 1000000});
    CHECK_FALSE(q[1].usable);
    std::vector<int64_t> beats;
    EcgRecord r2 = CleanRecord(500, 5, 1, &beats);
    r2.signal[0][100] = NAN;
    r2.signal[0][200] = INFINITY;
    beats.push_back(-50);
    beats.push_back(int64_t(1) << 40);
    q = AssessSignalQuality(r2, beats);
    REQUIRE(q.size() == 1);
    CHECK(std::isfinite(q[0].noise_mv));
  }
}

TEST_CASE("quality: real records", "[quality]") {
  for (const char* name : {"cinc2021/JS20003", "cinc2021/E07500", "cinc2021/HR06000", "muse/muse-sinus",
                           "ptbxl/00001_lr", "ludb/ludb-ecg"}) {
    INFO(name);
    const EcgRecord rec = ReadEcgRecord(kEcg + "/" + name);
    const std::vector<int64_t> beats = DetectQrs(rec);
    const std::vector<LeadQuality> q = AssessSignalQuality(rec, beats);
    REQUIRE(q.size() == rec.leads.size());
    for (size_t i = 0; i < q.size(); ++i) {
      INFO(rec.leads[i] << " " << q[i].problem);
      CHECK(q[i].usable);
      CHECK(q[i].noise_mv < 0.05);
      CHECK(q[i].baseline_wander_mv < 2.0);
    }
  }
  {  // JS20004 has V2, V4, V6 at zero (not recorded): flat, the others usable.
    const EcgRecord rec = ReadEcgRecord(kEcg + "/cinc2021/JS20004");
    const std::vector<LeadQuality> q = AssessSignalQuality(rec, DetectQrs(rec));
    for (size_t i = 0; i < q.size(); ++i) {
      INFO(rec.leads[i]);
      const bool missing = rec.leads[i] == "V2" || rec.leads[i] == "V4" || rec.leads[i] == "V6";
      CHECK(q[i].flat == missing);
      CHECK(q[i].usable == !missing);
    }
  }
  const std::string mitdb = test::SharedDir() + "/ecg/wfdb-python/sample-data/100";
  if (std::ifstream(mitdb + ".dat").good()) {  // 30 min, 2 leads, 360 Hz
    const EcgRecord rec = ReadEcgRecord(mitdb);
    const std::vector<int64_t> beats = DetectQrs(rec);
    const std::vector<LeadQuality> q = AssessSignalQuality(rec, beats);
    REQUIRE(q.size() == 2);
    for (const LeadQuality& l : q) {
      CHECK(l.usable);
      CHECK_FALSE(l.saturated);
      CHECK(l.excluded_beats.size() < beats.size() / 20);
    }
  } else {
    WARN("shared MIT-BIH record 100 not found: skipped");
  }
}
