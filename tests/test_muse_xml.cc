// Tests of io/muse_xml.h on the real GE MUSE export (tests/data/ecg/muse) and
// on broken copies of it: every refusal is one line naming the file.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "io/ecg_record.h"
#include "io/muse_xml.h"
#include "require_error.h"
#include "test_util.h"

using namespace ecgr1;
using ecgr1::test::RequireError;

namespace {

const std::string kMuse = std::string(ECGR1_TEST_DATA) + "/ecg/muse/muse-sinus";

double PeakToPeak(const std::vector<double>& x) {
  double lo = x[0], hi = x[0];
  for (double v : x) lo = std::min(lo, v), hi = std::max(hi, v);
  return hi - lo;
}

size_t IndexOf(const EcgRecord& r, const std::string& lead) {
  for (size_t i = 0; i < r.leads.size(); ++i)
    if (r.leads[i] == lead) return i;
  FAIL("no lead " << lead);
  return 0;
}

// The document with the first occurrence of `from` in the Rhythm waveform (the
// Median waveform comes first) replaced by `to`.
std::string Edited(const std::string& doc, const std::string& from, const std::string& to) {
  const size_t at = doc.find(from, doc.find("<WaveformType>Rhythm"));
  REQUIRE(at != std::string::npos);
  return doc.substr(0, at) + to + doc.substr(at + from.size());
}

}  // namespace

TEST_CASE("MUSE XML: the real export reads as 12 leads at 500 Hz in microvolt steps", "[muse]") {
  const EcgRecord r = ReadEcgRecord(kMuse + ".xml");
  CHECK(r.format == "GE MUSE XML");
  CHECK(r.fs == 500);
  REQUIRE(r.length() == 5000);
  CHECK(r.leads == std::vector<std::string>{"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"});
  // shared/ecg/expected.json: Rhythm lead I first raw values -2, -1, -1, -1, 1 at 4.88 uV/bit.
  const std::vector<double> want = {-2, -1, -1, -1, 1};
  for (size_t i = 0; i < want.size(); ++i) CHECK(r.signal[0][i] == Approx(want[i] * 4.88e-3));
  // No CRC note: every lead's LeadDataCRC32 matched; one note on the derived leads.
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0] == "derived III, aVR, aVL, aVF from I and II");
  const auto& I = r.signal[IndexOf(r, "I")];
  const auto& II = r.signal[IndexOf(r, "II")];
  const auto& III = r.signal[IndexOf(r, "III")];
  const auto& aVF = r.signal[IndexOf(r, "aVF")];
  for (size_t i = 0; i < r.length(); i += 97) {
    CHECK(III[i] == Approx(II[i] - I[i]).margin(1e-12));
    CHECK(aVF[i] == Approx(II[i] - 0.5 * I[i]).margin(1e-12));
  }
  bool rate = false, statement = false;
  for (const std::string& c : r.comments) {
    rate |= c == "GE VentricularRate: 90";
    statement |= c == "GE statement: Normal Sinus rhythm";
  }
  CHECK(rate);
  CHECK(statement);
}

TEST_CASE("MUSE XML: the WFDB conversion of the same ECG is 5x too large", "[muse]") {
  const EcgRecord xml = ReadEcgRecord(kMuse + ".xml");
  const EcgRecord hea = ReadEcgRecord(kMuse);
  for (const char* lead : {"I", "II", "V1", "V4", "V6"}) {
    INFO("lead " << lead);
    size_t j = hea.leads.size();
    for (size_t i = 0; i < hea.leads.size(); ++i)
      if (hea.leads[i] == lead) j = i;
    REQUIRE(j < hea.leads.size());
    const double ratio = PeakToPeak(hea.signal[j]) / PeakToPeak(xml.signal[IndexOf(xml, lead)]);
    CHECK(ratio == Approx(5.0).epsilon(0.01));
  }
}

TEST_CASE("MUSE XML: broken documents are refused with one line naming the file", "[muse]") {
  const std::string doc = test::ReadAll(kMuse + ".xml");
  const std::string name = "broken.xml";
  RequireError([&] { ParseMuseXml(doc.substr(0, doc.size() / 2), name); }, ExitCode::kBadInput,
               {name, "not well-formed XML"});
  RequireError([&] { ParseMuseXml("<?xml version=\"1.0\"?><AnnotatedECG/>", name); }, ExitCode::kBadInput,
               {name, "not a GE MUSE"});
  RequireError([&] { ParseMuseXml("", name); }, ExitCode::kBadInput, {name});
  RequireError([&] { ParseMuseXml(Edited(doc, "<WaveformType>Rhythm", "<WaveformType>Median"), name); },
               ExitCode::kBadInput, {name, "Rhythm"});
  RequireError([&] { ParseMuseXml(Edited(doc, "<SampleBase>500", "<SampleBase>fast"), name); },
               ExitCode::kBadInput, {name, "SampleBase"});
  // The first Rhythm lead's sample count (the Median waveform comes first, with 600).
  const size_t rhythm = doc.find("<WaveformType>Rhythm");
  REQUIRE(rhythm != std::string::npos);
  std::string wrong_count = doc;
  const size_t c = wrong_count.find("<LeadSampleCountTotal>5000", rhythm);
  REQUIRE(c != std::string::npos);
  wrong_count.replace(c, 26, "<LeadSampleCountTotal>4999");
  RequireError([&] { ParseMuseXml(wrong_count, name); }, ExitCode::kBadInput, {name, "lead I", "bytes"});
  std::string huge = doc;
  huge.replace(c, 26, "<LeadSampleCountTotal>9e99");
  RequireError([&] { ParseMuseXml(huge, name); }, ExitCode::kBadInput, {name, "LeadSampleCountTotal"});
  std::string bad64 = doc;
  const size_t d = bad64.find("<WaveFormData>", rhythm);
  REQUIRE(d != std::string::npos);
  bad64[d + 20] = '*';
  RequireError([&] { ParseMuseXml(bad64, name); }, ExitCode::kBadInput, {name, "base64"});
  std::string unit = doc;
  const size_t u = unit.find("<LeadAmplitudeUnits>MICROVOLTS", rhythm);
  unit.replace(u, 30, "<LeadAmplitudeUnits>FURLONGS00");
  RequireError([&] { ParseMuseXml(unit, name); }, ExitCode::kBadInput, {name, "LeadAmplitudeUnits"});
  // A lead name with a control character would split one-line messages and reports.
  RequireError([&] { ParseMuseXml(Edited(doc, "<LeadID>II<", "<LeadID>II\nX<"), name); }, ExitCode::kBadInput,
               {name, "control character"});
  // A changed CRC is a note, as a WFDB checksum mismatch is.
  std::string crc = doc;
  const size_t k = crc.find("<LeadDataCRC32>", rhythm);
  crc.replace(k, 16, "<LeadDataCRC32>9");
  const EcgRecord r = ParseMuseXml(crc, name);
  bool noted = false;
  for (const std::string& n : r.notes) noted |= n.find("CRC32 mismatch") != std::string::npos;
  CHECK(noted);
}
