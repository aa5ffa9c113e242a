// Tests of the CSV and .npy ECG readers: real round trips through files
// written here (a 12 x 5000 synthetic record as float32/float64/int16 .npy in
// both orders and layouts, and as CSV in several dialects), then one broken
// file per validation rule; each must throw Error(kBadInput) naming the file.
#include <catch2/catch.hpp>

#include "require_error.h"

#include "test_util.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "io/ecg_csv_npy.h"

using ecgr1::EcgReadOptions;
using ecgr1::EcgRecord;
using ecgr1::Error;
using ecgr1::ExitCode;
using ecgr1::test::TempDir;
using ecgr1::test::WriteAll;

namespace {

constexpr int kLeads = 12;
constexpr int kSamples = 5000;

// A deterministic ECG-ish 12 x 5000 record (mV), values with full double bits.
std::vector<std::vector<double>> Synthetic(int leads = kLeads, int samples = kSamples) {
  std::vector<std::vector<double>> x(leads, std::vector<double>(samples));
  for (int l = 0; l < leads; ++l)
    for (int t = 0; t < samples; ++t)
      x[l][t] = 0.8 * std::sin(2 * M_PI * 1.2 * t / 500.0 + l) + 0.1 * std::cos(2 * M_PI * 17.0 * t / 500.0) +
                1e-3 * l - 0.05 * (t % 7);
  return x;
}

template <typename T>
std::string Bytes(const T& v, bool big_endian = false) {
  std::string s(reinterpret_cast<const char*>(&v), sizeof(T));
  if (big_endian) std::reverse(s.begin(), s.end());
  return s;
}

// A .npy file: magic, version, header dict padded with spaces to a multiple of
// 64 bytes ending in '\n', then `data`.
std::string Npy(const std::string& dict, const std::string& data, int major = 1) {
  const size_t pre = major == 1 ? 10 : 12;
  std::string h = dict;
  while ((pre + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  if (major == 1) out += Bytes(static_cast<uint16_t>(h.size()));
  else out += Bytes(static_cast<uint32_t>(h.size()));
  return out + h + data;
}

std::string Dict(const std::string& descr, bool fortran, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape +
         ", }";
}

// Element (lead l, sample t) of `x` laid out as a rows x cols array in C or
// Fortran order, leads along rows (`lead_rows`) or columns.
template <typename T>
std::string Layout(const std::vector<std::vector<double>>& x, bool lead_rows, bool fortran, bool big_endian = false) {
  const size_t L = x.size(), N = x[0].size();
  const size_t rows = lead_rows ? L : N, cols = lead_rows ? N : L;
  std::string out;
  out.reserve(L * N * sizeof(T));
  for (size_t a = 0; a < (fortran ? cols : rows); ++a)
    for (size_t b = 0; b < (fortran ? rows : cols); ++b) {
      const size_t i = fortran ? b : a, j = fortran ? a : b;  // row, column
      const double v = lead_rows ? x[i][j] : x[j][i];
      out += Bytes(static_cast<T>(v), big_endian);
    }
  return out;
}

void RequireBadInput(const std::function<void()>& fn, const std::string& path, const std::string& what) {
  ecgr1::test::RequireError(fn, ExitCode::kBadInput, {path, what});
}

void RequireBadNpy(const std::string& bytes, const std::string& what) {
  TempDir dir;
  const std::string path = dir.File("bad.npy");
  WriteAll(path, bytes);
  RequireBadInput([&] { ecgr1::ReadEcgNpy(path, EcgReadOptions{500}); }, path, what);
}

void RequireBadCsv(const std::string& text, const std::string& what, double fs = 500) {
  TempDir dir;
  const std::string path = dir.File("bad.csv");
  WriteAll(path, text);
  RequireBadInput([&] { ecgr1::ReadEcgCsv(path, EcgReadOptions{fs}); }, path, what);
}

std::string Fmt17(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

// ---------------------------------------------------------------- .npy -----

TEST_CASE("npy round trips: dtypes, 12xN and Nx12, C and Fortran order, versions", "[csvnpy]") {
  const auto x = Synthetic();
  TempDir dir;
  struct Case {
    const char* descr;
    bool lead_rows, fortran, big;
    int major;
  };
  const Case cases[] = {
      {"<f4", true, false, false, 1},  {"<f4", false, false, false, 1}, {"<f4", true, true, false, 1},
      {"<f4", false, true, false, 2},  {"<f8", true, false, false, 1},  {"<f8", false, true, false, 3},
      {">f8", true, false, true, 1},   {">f4", false, false, true, 1},  {"<i2", true, false, false, 1},
      {"<i2", false, true, false, 1},  {"<i4", true, false, false, 1},  {"<i8", false, false, false, 1},
      {">i2", true, true, true, 1},
  };
  for (const Case& c : cases) {
    const std::string t = std::string(c.descr).substr(1);
    // Integer files hold ADC-like counts: scale so int16 keeps detail.
    std::vector<std::vector<double>> src = x;
    if (t[0] == 'i')
      for (auto& lead : src)
        for (double& v : lead) v = std::round(v * 1000);
    std::string data;
    if (t == "f4") data = Layout<float>(src, c.lead_rows, c.fortran, c.big);
    if (t == "f8") data = Layout<double>(src, c.lead_rows, c.fortran, c.big);
    if (t == "i2") data = Layout<int16_t>(src, c.lead_rows, c.fortran, c.big);
    if (t == "i4") data = Layout<int32_t>(src, c.lead_rows, c.fortran, c.big);
    if (t == "i8") data = Layout<int64_t>(src, c.lead_rows, c.fortran, c.big);
    const std::string shape = c.lead_rows ? "(12, 5000)" : "(5000, 12)";
    const std::string path = dir.File("r.npy");
    WriteAll(path, Npy(Dict(c.descr, c.fortran, shape), data, c.major));
    INFO(c.descr << " " << shape << (c.fortran ? " F" : " C") << " v" << c.major);

    const EcgRecord rec = ecgr1::ReadEcgNpy(path, EcgReadOptions{500});
    REQUIRE(rec.signal.size() == 12);
    REQUIRE(rec.length() == 5000);
    CHECK(rec.fs == 500);
    CHECK(rec.format == std::string("npy (") + c.descr + ")");
    CHECK(rec.invalid_samples == 0);
    REQUIRE(rec.leads.size() == 12);
    CHECK(rec.leads[4] == "aVF");
    CHECK(rec.leads[5] == "aVL");
    CHECK(rec.units == std::vector<std::string>(12, "mV"));
    size_t bad = 0;
    for (int l = 0; l < kLeads; ++l)
      for (int s = 0; s < kSamples; ++s) {
        const double want = t == "f4" ? static_cast<double>(static_cast<float>(src[l][s])) : src[l][s];
        bad += rec.signal[l][s] != want;
      }
    CHECK(bad == 0);
  }
}

TEST_CASE("npy: other lead counts, squeezed shapes, NaN/inf counted", "[csvnpy]") {
  TempDir dir;
  const std::string path = dir.File("r.npy");
  // 3 leads x 1000 samples, stored as (1, 3, 1000): leads are the smaller dimension.
  auto x = Synthetic(3, 1000);
  x[1][10] = std::nan("");
  x[2][20] = -INFINITY;
  WriteAll(path, Npy(Dict("<f8", false, "(1, 3, 1000)"), Layout<double>(x, true, false)));
  EcgRecord rec = ecgr1::ReadEcgNpy(path, EcgReadOptions{250});
  REQUIRE(rec.signal.size() == 3);
  CHECK(rec.length() == 1000);
  CHECK(rec.leads == std::vector<std::string>{"ch0", "ch1", "ch2"});
  CHECK(rec.invalid_samples == 2);
  CHECK(rec.signal[1][10] == 0.0);
  CHECK(rec.signal[2][20] == 0.0);
  CHECK(rec.signal[0][999] == x[0][999]);

  // 1-D: one lead.
  WriteAll(path, Npy(Dict("<f4", false, "(7,)"), std::string(7 * 4, '\0')));
  rec = ecgr1::ReadEcgNpy(path, EcgReadOptions{500});
  CHECK(rec.signal.size() == 1);
  CHECK(rec.length() == 7);

  // (5000, 15): 15 leads (a 12-lead + Frank XYZ record), along the columns.
  x = Synthetic(15, 5000);
  WriteAll(path, Npy(Dict("<f8", false, "(5000, 15)"), Layout<double>(x, false, false)));
  rec = ecgr1::ReadEcgNpy(path, EcgReadOptions{500});
  REQUIRE(rec.signal.size() == 15);
  CHECK(rec.signal[14][4999] == x[14][4999]);
  CHECK(rec.leads[14] == "ch14");
}

TEST_CASE("npy: malformed files are refused naming the file", "[csvnpy]") {
  const std::string ok_data = std::string(12 * 10 * 4, '\0');
  const std::string ok = Dict("<f4", false, "(12, 10)");
  RequireBadNpy(std::string("\x93NUMPX\x01\x00", 8) + std::string(100, ' '), "magic");
  RequireBadNpy("abc", "magic");
  RequireBadNpy(Npy(ok, ok_data).substr(0, 200), "truncated");           // data cut short
  RequireBadNpy(Npy(ok, ok_data + "xx"), "needs 480 data bytes");        // trailing bytes
  RequireBadNpy(Npy(ok, ok_data).substr(0, 40), "truncated");            // header cut short
  RequireBadNpy(Npy(Dict("<f4", false, "(12, 1099511627776)"), ok_data), "truncated");  // 2^40 samples
  RequireBadNpy(Npy(Dict("<f8", false, "(4294967296, 4294967296, 4294967296)"), ok_data), "overflows");
  RequireBadNpy(Npy(Dict("|O", false, "(12, 10)"), ok_data), "pickle");
  RequireBadNpy(Npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (12, 10), }", ok_data),
                "structured");
  RequireBadNpy(Npy(Dict("<c8", false, "(12, 10)"), ok_data), "not supported");
  RequireBadNpy(Npy(Dict("<f4", false, "(2, 3, 20)"), ok_data), "more than two dimensions");
  RequireBadNpy(Npy(Dict("<f4", false, "(100, 100)"), std::string(100 * 100 * 4, '\0')), "too many leads");
  RequireBadNpy(Npy(Dict("<f4", false, "()"), std::string(4, '\0')), "scalar");
  RequireBadNpy(Npy(Dict("<f4", false, "(12, 0)"), ""), "no samples");
  RequireBadNpy(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (12, 10), 'x': 1}", ok_data),
                "unexpected key");
  RequireBadNpy(Npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (12, 10)}", ok_data),
                "repeated key");
  RequireBadNpy(Npy("{'descr': '<f4', 'shape': (12, 10)}", ok_data), "needs the keys");
  RequireBadNpy(Npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (12, 10)}", ok_data), "True or False");
  RequireBadNpy(Npy(Dict("<f4", false, "(12, -10)"), ok_data), "non-negative");
  RequireBadNpy(Npy(Dict("<f4", false, "(12, 99999999999999999999)"), ok_data), "overflows 64 bits");
  RequireBadNpy(Npy(ok, ok_data, 4), "version 4.0");
  std::string huge_len = Npy(ok, ok_data, 2);
  huge_len[8] = '\xff', huge_len[9] = '\xff', huge_len[10] = '\xff', huge_len[11] = '\x7f';
  RequireBadNpy(huge_len, "more than the 65536 allowed");

  // No sampling rate.
  TempDir dir;
  const std::string path = dir.File("nofs.npy");
  WriteAll(path, Npy(ok, ok_data));
  RequireBadInput([&] { ecgr1::ReadEcgNpy(path, EcgReadOptions{}); }, path, "pass --fs");
  // A missing file.
  RequireBadInput([&] { ecgr1::ReadEcgNpy(dir.File("none.npy"), EcgReadOptions{500}); }, "none.npy", "cannot open");
}

// ----------------------------------------------------------------- CSV -----

TEST_CASE("csv round trip: 12 x 5000, exact doubles, time column dropped", "[csvnpy]") {
  const auto x = Synthetic();
  const char* names[12] = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};
  std::string text = "time";
  for (const char* n : names) text += std::string(",") + n;
  text += "\r\n";
  for (int t = 0; t < kSamples; ++t) {
    text += Fmt17(t / 500.0);
    for (int l = 0; l < kLeads; ++l) text += "," + Fmt17(x[l][t]);
    text += (t % 1000 == 0) ? "\r\n\r\n" : "\r\n";  // blank lines are skipped
  }
  TempDir dir;
  const std::string path = dir.File("r.csv");
  WriteAll(path, text);
  const EcgRecord rec = ecgr1::ReadEcgCsv(path, EcgReadOptions{500});
  CHECK(rec.format == "csv");
  CHECK(rec.fs == 500);
  REQUIRE(rec.leads.size() == 12);
  for (int l = 0; l < 12; ++l) CHECK(rec.leads[l] == names[l]);
  REQUIRE(rec.length() == 5000);
  size_t bad = 0;
  for (int l = 0; l < kLeads; ++l)
    for (int t = 0; t < kSamples; ++t) bad += rec.signal[l][t] != x[l][t];
  CHECK(bad == 0);
  CHECK(rec.invalid_samples == 0);
  CHECK(rec.units == std::vector<std::string>(12, "mV"));
}

TEST_CASE("csv dialects: semicolons, quotes, tabs, comments with fs and units, missing cells", "[csvnpy]") {
  TempDir dir;
  const std::string path = dir.File("r.csv");

  // Semicolons with decimal commas, quoted names, a "# fs" comment, an empty
  // pandas index column name, a missing cell and a NaN.
  WriteAll(path,
           "\xEF\xBB\xBF# exported by some cart\n# sampling_rate: 360 Hz\n"
           "\"\";\"I\";\"aVR\";\"V 1\"\n0;0,5;-1,25;2\n1;1.5;;NaN\n2;+3;4e-1;-0\n");
  EcgRecord rec = ecgr1::ReadEcgCsv(path, EcgReadOptions{});
  CHECK(rec.fs == 360);
  CHECK(rec.leads == std::vector<std::string>{"I", "aVR", "V 1"});
  REQUIRE(rec.length() == 3);
  CHECK(rec.signal[0] == std::vector<double>{0.5, 1.5, 3});
  CHECK(rec.signal[1] == std::vector<double>{-1.25, 0, 0.4});
  CHECK(rec.signal[2] == std::vector<double>{2, 0, -0.0});
  CHECK(rec.invalid_samples == 2);
  CHECK(rec.comments.size() == 2);

  // The option beats the file's comment, and the difference is noted.
  rec = ecgr1::ReadEcgCsv(path, EcgReadOptions{500});
  CHECK(rec.fs == 500);
  bool noted = false;
  for (const auto& n : rec.notes) noted |= n.find("the file says fs=360") != std::string::npos;
  CHECK(noted);

  // Tabs, "# fs=1000" and "# units: uV" (converted to mV); no time column.
  WriteAll(path, "# fs=1000\n# units: uV\nII\tV5\n1000\t-250\n\n20\t30\n");
  rec = ecgr1::ReadEcgCsv(path, EcgReadOptions{});
  CHECK(rec.fs == 1000);
  CHECK(rec.leads == std::vector<std::string>{"II", "V5"});
  CHECK(rec.signal[0] == std::vector<double>{1.0, 0.02});
  CHECK(rec.signal[1] == std::vector<double>{-0.25, 0.03});
  CHECK(rec.units == std::vector<std::string>{"uV", "uV"});

  // A single column, no separator, last line without a newline.
  WriteAll(path, "Sample,MLII\n0,1\n1,2\n2,3");
  rec = ecgr1::ReadEcgCsv(path, EcgReadOptions{360});
  CHECK(rec.leads == std::vector<std::string>{"MLII"});
  CHECK(rec.signal[0] == std::vector<double>{1, 2, 3});
  WriteAll(path, "V2\n0.25\n-1\n");
  rec = ecgr1::ReadEcgCsv(path, EcgReadOptions{500});
  CHECK(rec.signal[0] == std::vector<double>{0.25, -1});
}

TEST_CASE("csv: malformed files are refused naming the file and line", "[csvnpy]") {
  RequireBadCsv("I,II\n1,2\n3\n", "line 3 has 1 fields, the header row has 2");
  RequireBadCsv("I,II\n1,2\n3,4,5\n", "line 3 has more than 2 fields");
  RequireBadCsv("I,II\n1,2\n3,abc\n", "line 3, column 2 (II): 'abc' is not a number");
  RequireBadCsv("I,II\n1,0x10\n", "'0x10' is not a number");
  RequireBadCsv("I,II\n1,2 3\n", "not a number");
  RequireBadCsv("I,II\n1,2\n", "the sampling rate is not in the file: pass --fs", 0);
  RequireBadCsv("# fs = fast\nI,II\n1,2\n", "line 1: sampling rate 'fast'", 0);
  RequireBadCsv("# units: furlongs\nI\n1\n", "unknown unit");
  RequireBadCsv("1,2\n3,4\n", "not a header row of lead names");
  RequireBadCsv("", "the file is empty");
  RequireBadCsv("# only a comment\n\n", "the file is empty");
  RequireBadCsv("I,II\n", "followed by no samples");
  RequireBadCsv("\"I,II\n1,2\n", "unterminated quote");
  RequireBadCsv("I,,II\n1,2,3\n", "column 2 has no lead name");
  std::string wide = "time";
  for (int i = 0; i < 65; ++i) wide += ",L" + std::to_string(i);
  RequireBadCsv(wide + "\n", "more than the 64 allowed");
}

TEST_CASE("seeded byte mutations of a .npy and a CSV: Error or success, nothing else", "[csvnpy]") {
  TempDir dir;
  const auto x = Synthetic(12, 40);
  const std::string npy = Npy(Dict("<f4", false, "(12, 40)"), Layout<float>(x, true, false));
  std::string csv = "# fs=500\ntime,I,II,III\n";
  for (int t = 0; t < 40; ++t) csv += std::to_string(t) + "," + Fmt17(x[0][t]) + "," + Fmt17(x[1][t]) + ",\"3\"\n";
  uint64_t s = 42;
  auto next = [&s]() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>(s >> 33);
  };
  const char interesting[] = {'\0', '\n', ',', ';', '"', '(', ')', '\'', '9', '-', 'e', '\x93', '\xff', ' ', '#'};
  int ok = 0, refused = 0;
  for (int round = 0; round < 600; ++round) {
    const bool is_npy = round % 2 == 0;
    std::string b = is_npy ? npy : csv;
    const size_t n_mut = 1 + next() % 4;
    for (size_t m = 0; m < n_mut; ++m) {
      // npy: mostly the header (the data bytes are all valid floats anyway).
      if (b.empty()) break;
      const size_t pos = (is_npy ? next() % 128 : next()) % b.size();
      switch (next() % 3) {
        case 0: b[pos] = interesting[next() % sizeof interesting]; break;
        case 1: b.erase(pos, 1 + next() % 3); break;
        default: b = b.substr(0, std::max<size_t>(pos, 1)); break;
      }
    }
    const std::string path = dir.File(is_npy ? "m.npy" : "m.csv");
    WriteAll(path, b);
    try {
      const EcgRecord r = is_npy ? ecgr1::ReadEcgNpy(path, EcgReadOptions{500}) : ecgr1::ReadEcgCsv(path, EcgReadOptions{});
      REQUIRE(r.signal.size() == r.leads.size());
      for (const auto& lead : r.signal) REQUIRE(lead.size() == r.length());
      ++ok;
    } catch (const Error& e) {
      REQUIRE(e.code() == ExitCode::kBadInput);
      REQUIRE(std::string(e.what()).find(path) != std::string::npos);
      ++refused;
    }
  }
  CHECK(ok > 0);
  CHECK(refused > 0);
}
