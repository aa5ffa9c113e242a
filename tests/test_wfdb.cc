// Tests of the WFDB reader (io/wfdb.h): every record copied into
// tests/data/ecg against wfdb-python 4.3.1 rdsamp values (tests/data/ecg/
// expected.json, a subset of /work/shared/ecg/expected.json), the expected
// errors, MATLAB v4 and multi-segment specifics, then truncated files, smashed
// header numbers and a seeded random header mutator: Error or success, never a
// crash or any other exception.
#include <catch2/catch.hpp>

#include "require_error.h"

#include <cmath>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "io/ecg_record.h"
#include "io/wfdb.h"
#include "test_util.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ecgr1::test {
namespace {

const std::string kEcg = std::string(ECGR1_TEST_DATA) + "/ecg";
const std::string kSample = kEcg + "/wfdb-python/sample-data";

// Physical values in expected.json are rounded to 8 decimals.
bool Close(double got, double want) { return std::fabs(got - want) <= 1e-9 * std::fabs(want) + 5.1e-9; }

double UnitFactor(const std::string& u) {
  std::string l;
  for (char c : u) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "uv" || l == "\xC2\xB5v") return 1e-3;
  if (l == "v") return 1e3;
  return 1.0;
}

int CountNotes(const EcgRecord& r, const std::string& needle) {
  int n = 0;
  for (const std::string& s : r.notes) n += s.find(needle) != std::string::npos;
  return n;
}

// Requires `fn` to throw Error(kBadInput) whose message contains each needle.
void RequireBadInput(const std::function<void()>& fn, const std::vector<std::string>& needles) {
  ecgr1::test::RequireError(fn, ExitCode::kBadInput, needles);
}

// Error(kBadInput) or success; anything else (another exception) fails.
bool ErrorOrSuccess(const std::string& path) {
  try {
    const EcgRecord r = ReadWfdbRecord(path);
    for (const auto& s : r.signal)
      for (double v : s)
        if (!std::isfinite(v)) return false;
    return true;
  } catch (const Error& e) {
    return e.code() == ExitCode::kBadInput;
  }
}

// Checks one record of expected.json; returns true if it ran.
void CheckRecord(const std::string& root, const std::string& key, const json& r) {
  INFO("record " << key);
  const EcgRecord rec = ReadWfdbRecord(root + "/" + key);
  const size_t ns = r["n_sig"].get<size_t>();
  REQUIRE(rec.signal.size() == ns);
  CHECK(rec.fs == Approx(r["fs"].get<double>()).epsilon(1e-12));
  CHECK(rec.length() == r["sig_len"].get<size_t>());
  CHECK(rec.leads == r["sig_name"].get<std::vector<std::string>>());
  CHECK(rec.units == r["units"].get<std::vector<std::string>>());
  const std::vector<std::string> fmts = r["fmt"].get<std::vector<std::string>>();
  for (const std::string& f : fmts)
    CHECK((rec.format.find(f) != std::string::npos || rec.format.find("MATLAB") != std::string::npos));
  // Header numbers (single-segment records).
  const std::string hea = root + "/" + key + ".hea";
  const WfdbHeader h = ParseWfdbHeader(ReadAll(hea), hea);
  if (h.n_seg == 0) {
    REQUIRE(h.signals.size() == ns);
    for (size_t i = 0; i < ns; ++i) {
      CHECK(h.signals[i].gain == Approx(r["adc_gain"][i].get<double>()).epsilon(1e-12));
      CHECK(h.signals[i].baseline == r["baseline"][i].get<double>());
      CHECK(h.signals[i].spf == r["samps_per_frame"][i].get<int>());
      CHECK(h.signals[i].skew == (r["skew"][i].is_null() ? 0u : r["skew"][i].get<uint64_t>()));
      CHECK(h.signals[i].byte_offset == (r["byte_offset"][i].is_null() ? 0u : r["byte_offset"][i].get<uint64_t>()));
      CHECK(std::to_string(h.signals[i].format) == fmts[i]);
    }
  }
  // First 5 and last physical values; NaN (null) reads as 0.
  const size_t n = rec.length();
  for (size_t i = 0; i < ns; ++i) {
    const double f = UnitFactor(rec.units[i]);
    for (size_t t = 0; t < 5 && t < n; ++t) {
      const json& w = r["p_first5"][t][i];
      const double want = w.is_null() ? 0.0 : w.get<double>() * f;
      INFO("signal " << i << " sample " << t);
      CHECK(Close(rec.signal[i][t], want));
      // Exact digital check where a sample is one stored value.
      if (h.n_seg == 0 && h.signals[i].spf == 1 && !w.is_null()) {
        const double d = r["d_first5"][t][i].get<double>();
        CHECK(rec.signal[i][t] == Approx((d - h.signals[i].baseline) / h.signals[i].gain * f).epsilon(1e-12));
      }
    }
    const json& w = r["p_last"][i];
    INFO("signal " << i << " last sample");
    CHECK(Close(rec.signal[i][n - 1], w.is_null() ? 0.0 : w.get<double>() * f));
  }
  uint64_t nan = 0, mismatches = 0;
  for (const auto& v : r["n_nan"]) nan += v.get<uint64_t>();
  if (r.contains("checksum_matches_header"))  // single-segment records only
    for (const auto& v : r["checksum_matches_header"]) mismatches += !v.get<bool>();
  CHECK(rec.invalid_samples == nan);
  CHECK(static_cast<uint64_t>(CountNotes(rec, "checksum mismatch")) == mismatches);
}

json LoadJson(const std::string& path) { return json::parse(ReadAll(path)); }

}  // namespace

TEST_CASE("every copied record reads as wfdb-python rdsamp does", "[wfdb]") {
  const json e = LoadJson(kEcg + "/expected.json");
  size_t ran = 0;
  for (const auto& [key, r] : e["records"].items()) {
    CheckRecord(kEcg, key, r);
    ++ran;
  }
  CHECK(ran >= 25);
}

TEST_CASE("all records in shared/ecg read as rdsamp does (when present)", "[wfdb][shared]") {
  const std::string root = ecgr1::test::SharedDir() + "/ecg";
  if (!fs::exists(root + "/expected.json")) {
    WARN("skipped: " << root << " not present");
    return;
  }
  const json e = LoadJson(root + "/expected.json");
  for (const auto& [key, r] : e["records"].items()) CheckRecord(root, key, r);
}

TEST_CASE("a record is named by base, .hea, .dat or .mat and reads the same", "[wfdb]") {
  const EcgRecord a = ReadEcgRecord(kSample + "/a103l");
  CHECK(a.format == "wfdb (MATLAB v4)");
  for (const char* suffix : {".hea", ".mat"}) CHECK(ReadEcgRecord(kSample + "/a103l" + suffix).signal == a.signal);
  CHECK(ReadEcgRecord(kSample + "/a103l-no-len").signal == a.signal);
  CHECK(CountNotes(ReadEcgRecord(kSample + "/a103l-no-len"), "inferred") == 1);
  const EcgRecord b = ReadEcgRecord(kEcg + "/ptbxl/00001_lr.dat");
  CHECK(b.signal == ReadEcgRecord(kEcg + "/ptbxl/00001_lr").signal);
  CHECK(b.format == "wfdb (format 16)");
  CHECK(a.comments == std::vector<std::string>{"Asystole", "False alarm"});
}

TEST_CASE("CinC .mat records: MATLAB v4 header checked, missing offset found", "[wfdb]") {
  const EcgRecord ref = ReadWfdbRecord(kEcg + "/cinc2021/HR06000");
  CHECK(ref.notes.empty());
  CHECK(ref.units[0] == "mv");
  TempDir dir;
  fs::copy_file(kEcg + "/cinc2021/HR06000.mat", dir.File("HR06000.mat"));
  std::string hea = ReadAll(kEcg + "/cinc2021/HR06000.hea");
  size_t p;
  while ((p = hea.find("16x1+24")) != std::string::npos) hea.replace(p, 7, "16");
  hea.replace(0, 7, "r");
  WriteAll(dir.File("r.hea"), hea);
  const EcgRecord r = ReadWfdbRecord(dir.File("r"));
  CHECK(r.signal == ref.signal);
  CHECK(CountNotes(r, "MATLAB v4 data offset 24") == 1);
}

TEST_CASE("multi-frequency records are smoothed per frame", "[wfdb]") {
  const EcgRecord r = ReadWfdbRecord(kSample + "/mixedsignals");
  CHECK(r.fs == Approx(62.4725));
  CHECK(r.invalid_samples == 864);
  CHECK(CountNotes(r, "not a voltage") == 3);  // mmHg, NU, Ohm
  // test01_00s_frame signal 1 (16x2) is the mean of two samples of test01_00s.
  const EcgRecord f = ReadWfdbRecord(kSample + "/test01_00s_frame");
  CHECK(f.signal[1][0] == Approx(-0.32));
}

TEST_CASE("checksum mismatches are notes, not errors (edge/ecg-checksum0)", "[wfdb]") {
  TempDir dir;
  fs::copy_file(kEcg + "/edge/ecg-checksum0.hea.txt", dir.File("ecg.hea"));
  fs::copy_file(kEcg + "/muse/muse-sinus.dat", dir.File("ecg.dat"));
  const EcgRecord r = ReadWfdbRecord(dir.File("ecg"));
  CHECK(r.signal.size() == 12);
  CHECK(r.length() == 5000);
  CHECK(CountNotes(r, "checksum mismatch") == 12);
  // The samples equal muse-sinus's (same .dat, same gains).
  const EcgRecord m = ReadWfdbRecord(kEcg + "/muse/muse-sinus");
  CHECK(r.signal == m.signal);
}

TEST_CASE("expected errors: missing signal file, missing header, bad format", "[wfdb]") {
  RequireBadInput([] { ReadWfdbRecord(kEcg + "/edge/ludb-ecg-wrong-datname"); },
                  {"ludb-ecg-wrong-datname.hea", "signal file 1.dat not found"});
  RequireBadInput([] { ReadEcgRecord(kEcg + "/edge/no-such-record"); }, {"no-such-record", "not found"});
  TempDir dir;
  WriteAll(dir.File("x.hea"), "x 1 500 10\nx.dat 999 200 12 0 0 0 0 I\n");
  WriteAll(dir.File("x.dat"), std::string(20, '\0'));
  RequireBadInput([&] { ReadWfdbRecord(dir.File("x")); }, {"x.hea", "unsupported signal format 999"});
  WriteAll(dir.File("x.hea"), "x 1 500 11\nx.dat 16 200 12 0 0 0 0 I\n");
  RequireBadInput([&] { ReadWfdbRecord(dir.File("x")); }, {"x.hea", "x.dat holds 10 samples", "declares 11"});
  WriteAll(dir.File("x.hea"), "x 2 500 10\nx.dat 16 200 12 0 0 0 0 I\n");
  RequireBadInput([&] { ReadWfdbRecord(dir.File("x")); }, {"x.hea", "2 signals", "only 1"});
  WriteAll(dir.File("x.hea"), "x 1 500 10\n../x.dat 16 200 12 0 0 0 0 I\n");
  RequireBadInput([&] { ReadWfdbRecord(dir.File("x")); }, {"plain name"});
  WriteAll(dir.File("f.hea"), "f 1 500 10\nx.dat 516 200 12 0 0 0 0 I\n");
  RequireBadInput([&] { ReadWfdbRecord(dir.File("f")); }, {"not a FLAC stream (format 516)"});
}

TEST_CASE("invalid-sample markers, gain 0, units and the physical rule", "[wfdb]") {
  TempDir dir;
  // Format 16: 4 samples of one signal, one of them the -32768 marker.
  const int16_t v[4] = {100, -32768, -100, 0};
  WriteAll(dir.File("u.dat"), std::string(reinterpret_cast<const char*>(v), 8));
  WriteAll(dir.File("u.hea"), "u 1 500 4\nu.dat 16 0(50)/uV 16 0 0 0 0 V1\n");
  const EcgRecord r = ReadWfdbRecord(dir.File("u"));
  REQUIRE(r.length() == 4);
  CHECK(r.signal[0][0] == Approx((100 - 50) / 200.0 * 1e-3).epsilon(1e-15));
  CHECK(r.signal[0][1] == 0.0);
  CHECK(r.signal[0][2] == Approx((-100 - 50) / 200.0 * 1e-3).epsilon(1e-15));
  CHECK(r.invalid_samples == 1);
  CHECK(r.units[0] == "uV");
  CHECK(CountNotes(r, "converted from uV to mV") == 1);
  CHECK(CountNotes(r, "ADC gain 0") == 1);
  // Volts, and format 0 (a null signal) next to it.
  WriteAll(dir.File("u.hea"), "u 2 500 4\nu.dat 16 1000/V 16 0 0 0 0 V1\n~ 0 200 12 0 0 0 0 none\n");
  const EcgRecord w = ReadWfdbRecord(dir.File("u"));
  CHECK(w.signal[0][0] == Approx(100.0));
  CHECK(w.invalid_samples == 1 + 4);
}

TEST_CASE("multi-segment records: fixed and variable layout", "[wfdb]") {
  const EcgRecord f = ReadWfdbRecord(kSample + "/multi-segment/041s/041s");
  CHECK(f.format == "wfdb (multi-segment, format 212)");
  const EcgRecord s1 = ReadWfdbRecord(kSample + "/multi-segment/041s/041s01");
  const EcgRecord s2 = ReadWfdbRecord(kSample + "/multi-segment/041s/041s02");
  for (size_t i = 0; i < 7; ++i)
    for (size_t t = 0; t < 1000; ++t) {
      REQUIRE(f.signal[i][t] == s1.signal[i][t]);
      REQUIRE(f.signal[i][1000 + t] == s2.signal[i][t]);
    }
  // Variable layout: a shortened master (layout, a gap, segments 0001/0002).
  TempDir dir;
  const std::string src = kSample + "/multi-segment/p000878/";
  for (const char* n : {"3269321_layout.hea", "3269321_0001.hea", "3269321_0001.dat", "3269321_0002.hea",
                        "3269321_0002.dat"})
    fs::copy_file(src + n, dir.File(n));
  WriteAll(dir.File("m.hea"),
           "m/4 4 125 7500 16:57:09.000 26/10/2137\n3269321_layout 0\n~ 3750\n3269321_0001 2000\n"
           "3269321_0002 1750\n");
  const EcgRecord m = ReadWfdbRecord(dir.File("m"));
  REQUIRE(m.length() == 7500);
  CHECK(m.leads == std::vector<std::string>{"PLETH", "II", "V", "ABP"});
  CHECK(m.units == std::vector<std::string>{"NU", "mV", "mV", "mmHg"});
  const EcgRecord a = ReadWfdbRecord(dir.File("3269321_0001"));  // PLETH
  const EcgRecord b = ReadWfdbRecord(dir.File("3269321_0002"));  // II, PLETH
  for (size_t t = 0; t < 3750; ++t)
    for (size_t i = 0; i < 4; ++i) REQUIRE(m.signal[i][t] == 0.0);
  for (size_t t = 0; t < 2000; ++t) {
    REQUIRE(m.signal[0][3750 + t] == a.signal[0][t]);
    REQUIRE(m.signal[1][3750 + t] == 0.0);
  }
  for (size_t t = 0; t < 1750; ++t) {
    REQUIRE(m.signal[0][5750 + t] == b.signal[1][t]);
    REQUIRE(m.signal[1][5750 + t] == b.signal[0][t]);
    REQUIRE(m.signal[2][5750 + t] == 0.0);
  }
  CHECK(m.invalid_samples == 3750 * 4 + 2000 * 3 + 1750 * 2 + a.invalid_samples + b.invalid_samples);
  // Escapes, nesting, missing segments.
  WriteAll(dir.File("e.hea"), "e/2 1 125 4\n../x 2\ny 2\n");
  RequireBadInput([&] { ReadWfdbRecord(dir.File("e")); }, {"e.hea", "plain name"});
  WriteAll(dir.File("e.hea"), "e/1 4 125 7500\nm 7500\n");
  RequireBadInput([&] { ReadWfdbRecord(dir.File("e")); }, {"itself a multi-segment"});
  WriteAll(dir.File("e.hea"), "e/1 4 125 7500\ne 7500\n");
  RequireBadInput([&] { ReadWfdbRecord(dir.File("e")); }, {"itself a multi-segment"});
  WriteAll(dir.File("e.hea"), "e/1 4 125 10\nnothere 10\n");
  RequireBadInput([&] { ReadWfdbRecord(dir.File("e")); }, {"segment header nothere.hea not found"});
  WriteAll(dir.File("e.hea"), "e/2 4 125 10\n~ 10\n~ 1099511627776\n");
  RequireBadInput([&] { ReadWfdbRecord(dir.File("e")); }, {"e.hea", "values allowed"});
}

// ----------------------------------------------------------------- robustness

namespace {

// Copies a record's header and signal files into `dir`.
void CopyRecord(const std::string& src_dir, const std::string& name, const std::vector<std::string>& files,
                const TempDir& dir) {
  fs::copy_file(src_dir + "/" + name + ".hea", dir.File(name + ".hea"));
  for (const std::string& f : files) fs::copy_file(src_dir + "/" + f, dir.File(f));
}

struct Rec {
  std::string name;
  std::vector<std::string> files;
};

const std::vector<Rec>& RobustRecords() {
  static const std::vector<Rec> r = {
      {"100_3chan", {"100_3chan.dat"}},
      {"310derive_3", {"310derive_3.dat"}},
      {"311derive_3", {"311derive_3.dat"}},
      {"311derive_4", {"311derive_4.dat"}},
      {"test01_00s_skewframe", {"test01_00s.dat"}},
      {"a103l", {"a103l.mat"}},
      {"3000003_0003", {"3000003_0003.dat"}},
      {"flacformats", {"flacformats.d0", "flacformats.d1", "flacformats.d2"}},
      {"mixedsignals", {"mixedsignals_e.dat", "mixedsignals_p.dat", "mixedsignals_r.dat"}},
      {"binformats",
       {"binformats.d0", "binformats.d1", "binformats.d2", "binformats.d3", "binformats.d4", "binformats.d5",
        "binformats.d6", "binformats.d7", "binformats.d8", "binformats.d9"}},
  };
  return r;
}

}  // namespace

TEST_CASE("truncated signal files are errors, never crashes", "[wfdb]") {
  for (const Rec& rec : RobustRecords()) {
    for (const std::string& f : rec.files) {
      const std::string bytes = ReadAll(kSample + "/" + f);
      for (size_t len : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{24}, size_t{25},
                         bytes.size() / 2, bytes.size() - 2, bytes.size() - 1}) {
        if (len >= bytes.size()) continue;
        INFO(rec.name << " " << f << " cut to " << len);
        TempDir dir;
        CopyRecord(kSample, rec.name, rec.files, dir);
        WriteAll(dir.File(f), bytes.substr(0, len));
        // The header declares the length, so every cut is an error (a skewed
        // signal may read past the end, but the declared frames are missing).
        RequireBadInput([&] { ReadWfdbRecord(dir.File(rec.name)); }, {rec.name + ".hea"});
      }
    }
  }
  // Without a declared length, a cut file is read to its last whole frame.
  TempDir dir;
  WriteAll(dir.File("c.hea"), "c 3 360\n100_3chan.dat 212 200 11 1024 995 0 0 a\n"
                              "100_3chan.dat 212 200 11 1024 995 0 0 b\n100_3chan.dat 212 200 11 1024 995 0 0 c\n");
  const std::string bytes = ReadAll(kSample + "/100_3chan.dat");
  for (size_t len = 0; len < 40; ++len) {
    WriteAll(dir.File("100_3chan.dat"), bytes.substr(0, len));
    const EcgRecord r = ReadWfdbRecord(dir.File("c"));
    CHECK(r.length() == (len / 3 * 2 + (len % 3 >= 2)) / 3);
  }
}

TEST_CASE("smashed header numbers are errors before any allocation", "[wfdb]") {
  TempDir dir;
  fs::copy_file(kSample + "/test01_00s.dat", dir.File("t.dat"));  // 32000 bytes
  fs::copy_file(kSample + "/flacformats.d1", dir.File("f.d1"));
  const auto bad = [&](const std::string& hea, const std::string& needle) {
    INFO(hea);
    WriteAll(dir.File("t.hea"), hea);
    RequireBadInput([&] { ReadWfdbRecord(dir.File("t")); }, {"t.hea", needle});
  };
  bad("t 1 500 1099511627776\nt.dat 16 100/mV 16 0 0 0 0 I\n", "values allowed");
  bad("t 1 500 16001\nt.dat 16 100/mV 16 0 0 0 0 I\n", "declares 16001");
  bad("t 2 500 134217728\nt.dat 16 100/mV 16 0 0 0 0 I\nt.dat 16 100/mV 16 0 0 0 0 II\n", "declares 134217728");
  bad("t 1 500 134217728\nf.d1 516 100/mV 16 0 0 0 0 I\n", "f.d1");
  bad("t 100000 500 10\nt.dat 16 100/mV 16 0 0 0 0 I\n", "100000 signals");
  bad("t -1 500 10\nt.dat 16 100/mV 16 0 0 0 0 I\n", "signals declared");
  bad("t 1 500 -10\nt.dat 16 100/mV 16 0 0 0 0 I\n", "number of samples");
  bad("t 1 0 10\nt.dat 16 100/mV 16 0 0 0 0 I\n", "sampling frequency");
  bad("t 1 -500 10\nt.dat 16 100/mV 16 0 0 0 0 I\n", "sampling frequency");
  bad("t 1 nan 10\nt.dat 16 100/mV 16 0 0 0 0 I\n", "sampling frequency");
  bad("t 1 500 10\nt.dat 16x0 100/mV 16 0 0 0 0 I\n", "samples per frame");
  bad("t 1 500 10\nt.dat 16x100000 100/mV 16 0 0 0 0 I\n", "samples per frame");
  bad("t 1 500 10\nt.dat 16:-3 100/mV 16 0 0 0 0 I\n", "skew");
  bad("t 1 500 10\nt.dat 16+1152921504606846976 100/mV 16 0 0 0 0 I\n", "past the end");
  bad("t 1 500 10\nt.dat 16+-4 100/mV 16 0 0 0 0 I\n", "byte offset");
  bad("t 1 500 10\nt.dat 16+32000 100/mV 16 0 0 0 0 I\n", "holds 0 samples");
  bad("t 1 500 10\nt.dat 16 inf/mV 16 0 0 0 0 I\n", "ADC gain");
  bad("t 1 500 10\nt.dat 16 100(x)/mV 16 0 0 0 0 I\n", "baseline");
  bad("t 1 500 10\nt.dat 16 100/mV 16 99999999999 0 0 0 I\n", "ADC zero");
  bad("t/0 1 500 10\n", "segment count");
  bad("", "no record line");
  bad("# only a comment\n", "no record line");
  // Gain 0 means 200, and a huge skew reads missing samples.
  WriteAll(dir.File("t.hea"), "t 1 500 10\nt.dat 16:4294967296 0/mV 16 0 0 0 0 I\n");
  const EcgRecord r = ReadWfdbRecord(dir.File("t"));
  CHECK(r.invalid_samples == 10);
  // A header larger than 1 MiB is refused.
  WriteAll(dir.File("t.hea"), "t 1 500 10\nt.dat 16 100/mV 16 0 0 0 0 I\n" + std::string(2u << 20, '#'));
  RequireBadInput([&] { ReadWfdbRecord(dir.File("t")); }, {"t.hea", "bytes"});
}

TEST_CASE("seeded random header and data mutations: Error or success, never a crash", "[wfdb]") {
  std::mt19937 rng(20240611);
  const std::string alphabet = "0123456789-+x:/()~#. \t\nabcdefmuVNU\xb5\xff";
  size_t errors = 0, ok = 0;
  for (const Rec& rec : RobustRecords()) {
    TempDir dir;
    CopyRecord(kSample, rec.name, rec.files, dir);
    const std::string hea = ReadAll(kSample + "/" + rec.name + ".hea");
    for (int it = 0; it < 150; ++it) {
      std::string h = hea;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !h.empty(); ++e) {
        const size_t at = rng() % h.size();
        switch (rng() % 5) {
          case 0: h[at] = alphabet[rng() % alphabet.size()]; break;
          case 1: h.erase(at, 1 + rng() % 3); break;
          case 2: h.insert(at, std::to_string(static_cast<int64_t>(rng()) * (rng() % 2 ? 1 : -4097))); break;
          case 3: h.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
          default: {  // duplicate a line
            const size_t b = h.rfind('\n', at), e2 = h.find('\n', at);
            const size_t s = b == std::string::npos ? 0 : b + 1;
            h.insert(s, h.substr(s, (e2 == std::string::npos ? h.size() : e2 + 1) - s));
          }
        }
      }
      WriteAll(dir.File(rec.name + ".hea"), h);
      INFO(rec.name << " header:\n" << h);
      const bool fine = ErrorOrSuccess(dir.File(rec.name));
      REQUIRE(fine);
      try {
        ReadWfdbRecord(dir.File(rec.name));
        ++ok;
      } catch (const Error&) {
        ++errors;
      }
    }
    // Flip bytes of the signal files (FLAC streams above all).
    WriteAll(dir.File(rec.name + ".hea"), hea);
    for (const std::string& f : rec.files) {
      const std::string bytes = ReadAll(kSample + "/" + f);
      for (int it = 0; it < 15; ++it) {
        std::string b = bytes;
        for (int k = 0; k < 1 + static_cast<int>(rng() % 8); ++k) b[rng() % b.size()] = static_cast<char>(rng());
        WriteAll(dir.File(f), b);
        INFO(rec.name << " " << f << " mutation " << it);
        REQUIRE(ErrorOrSuccess(dir.File(rec.name)));
      }
      WriteAll(dir.File(f), bytes);
    }
  }
  CHECK(ok > 0);
  CHECK(errors > 0);
}

}  // namespace ecgr1::test
