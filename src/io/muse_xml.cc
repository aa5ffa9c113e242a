// muse_xml.cc — GE MUSE RestingECG XML reader (see muse_xml.h).
#include "io/muse_xml.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>

#include <pugixml.hpp>

#include "base/error.h"
#include "base/mapped_file.h"
#include "io/zip_reader.h"

namespace ecgr1 {
namespace {

constexpr size_t kMaxFileBytes = 64u << 20;
constexpr size_t kMaxLeads = 64;
constexpr long long kMaxSamples = 1 << 24;

// Decodes standard base64, skipping whitespace; false on any other byte or a
// malformed end.
bool DecodeBase64(const char* s, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0, pad = 0;
  for (; *s; ++s) {
    const unsigned char c = static_cast<unsigned char>(*s);
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') { ++pad; continue; }
    else return false;
    if (pad) return false;  // data after padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return pad <= 2;
}

// Child text as a number, or fail naming the element.
double NumberChild(const pugi::xml_node& n, const char* child, const std::string& name, const std::string& where) {
  const pugi::xml_node c = n.child(child);
  if (!c) Fail(ExitCode::kBadInput, "%s: %s has no <%s>", name.c_str(), where.c_str(), child);
  const char* text = c.child_value();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text, &end);
  while (end && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')) ++end;
  if (end == text || !end || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    Fail(ExitCode::kBadInput, "%s: %s: <%s> is not a number", name.c_str(), where.c_str(), child);
  return v;
}

std::string Trimmed(const char* s) {
  std::string t(s);
  const size_t b = t.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return t.substr(b, t.find_last_not_of(" \t\r\n") - b + 1);
}

// Millivolts per unit of LeadAmplitudeUnits.
double MillivoltsPer(const std::string& unit, const std::string& name, const std::string& where) {
  if (unit == "MICROVOLTS") return 1e-3;
  if (unit == "MILLIVOLTS") return 1.0;
  if (unit == "VOLTS") return 1e3;
  Fail(ExitCode::kBadInput, "%s: %s: unknown LeadAmplitudeUnits '%.40s'", name.c_str(), where.c_str(), unit.c_str());
}

}  // namespace

EcgRecord ParseMuseXml(const std::string& bytes, const std::string& name) {
  pugi::xml_document doc;
  const pugi::xml_parse_result ok =
      doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default & ~pugi::parse_doctype, pugi::encoding_auto);
  if (!ok) Fail(ExitCode::kBadInput, "%s: not well-formed XML (%s at byte %lld)", name.c_str(), ok.description(),
                static_cast<long long>(ok.offset));
  const pugi::xml_node root = doc.child("RestingECG");
  if (!root) {
    const char* top = doc.document_element().name();
    Fail(ExitCode::kBadInput, "%s: XML root is <%.40s>, not a GE MUSE <RestingECG> export (other XML ECG formats are not supported)",
         name.c_str(), top);
  }
  pugi::xml_node wave;
  for (pugi::xml_node w : root.children("Waveform"))
    if (Trimmed(w.child_value("WaveformType")) == "Rhythm") wave = w;
  if (!wave) Fail(ExitCode::kBadInput, "%s: no <Waveform> of type Rhythm", name.c_str());

  EcgRecord rec;
  rec.source = name;
  rec.format = "GE MUSE XML";
  const double base = NumberChild(wave, "SampleBase", name, "Rhythm waveform");
  const double expo = wave.child("SampleExponent") ? NumberChild(wave, "SampleExponent", name, "Rhythm waveform") : 0;
  if (!(base > 0) || !(std::fabs(expo) <= 6)) Fail(ExitCode::kBadInput, "%s: sampling rate %g x 10^%g is not valid", name.c_str(), base, expo);
  rec.fs = base * std::pow(10.0, expo);
  if (!(rec.fs >= 1 && rec.fs <= 100000)) Fail(ExitCode::kBadInput, "%s: sampling rate %g Hz is out of range", name.c_str(), rec.fs);

  std::string raw;
  for (pugi::xml_node ld : wave.children("LeadData")) {
    const std::string id = Trimmed(ld.child_value("LeadID"));
    const std::string where = "lead " + (id.empty() ? std::string("?") : id.substr(0, 16));
    if (id.empty()) Fail(ExitCode::kBadInput, "%s: a <LeadData> has no <LeadID>", name.c_str());
    for (char ch : id)
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F)
        Fail(ExitCode::kBadInput, "%s: a <LeadID> holds a control character", name.c_str());
    if (rec.leads.size() >= kMaxLeads) Fail(ExitCode::kBadInput, "%s: more than %zu leads", name.c_str(), kMaxLeads);
    const double count = NumberChild(ld, "LeadSampleCountTotal", name, where);
    const double size = ld.child("LeadSampleSize") ? NumberChild(ld, "LeadSampleSize", name, where) : 2;
    const double per_bit = NumberChild(ld, "LeadAmplitudeUnitsPerBit", name, where);
    if (!(count >= 0 && count <= kMaxSamples && count == std::floor(count)))
      Fail(ExitCode::kBadInput, "%s: %s: LeadSampleCountTotal %g is not a count up to %lld", name.c_str(), where.c_str(), count, kMaxSamples);
    if (size != 2) Fail(ExitCode::kBadInput, "%s: %s: LeadSampleSize %g is not supported (only 2-byte samples)", name.c_str(), where.c_str(), size);
    if (!(per_bit > 0 && per_bit < 1e6)) Fail(ExitCode::kBadInput, "%s: %s: LeadAmplitudeUnitsPerBit %g is not valid", name.c_str(), where.c_str(), per_bit);
    const std::string unit = Trimmed(ld.child_value("LeadAmplitudeUnits"));
    const double mv = per_bit * MillivoltsPer(unit.empty() ? "MICROVOLTS" : unit, name, where);
    if (!DecodeBase64(ld.child_value("WaveFormData"), &raw))
      Fail(ExitCode::kBadInput, "%s: %s: WaveFormData is not valid base64", name.c_str(), where.c_str());
    const size_t n = static_cast<size_t>(count);
    if (raw.size() != 2 * n)
      Fail(ExitCode::kBadInput, "%s: %s: WaveFormData holds %zu bytes, LeadSampleCountTotal says %zu samples", name.c_str(), where.c_str(), raw.size(), n);
    if (!rec.signal.empty() && n != rec.length())
      Fail(ExitCode::kBadInput, "%s: %s has %zu samples, the first lead %zu", name.c_str(), where.c_str(), n, rec.length());
    if (ld.child("LeadDataCRC32")) {
      const double want = NumberChild(ld, "LeadDataCRC32", name, where);
      const uint32_t got = Crc32(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
      if (want != static_cast<double>(got)) rec.notes.push_back(where + ": CRC32 mismatch (file " + Trimmed(ld.child_value("LeadDataCRC32")) + ")");
    }
    std::vector<double> x(n);
    for (size_t i = 0; i < n; ++i) {
      const uint16_t u = static_cast<uint16_t>(static_cast<uint8_t>(raw[2 * i]) | (static_cast<uint8_t>(raw[2 * i + 1]) << 8));
      x[i] = static_cast<int16_t>(u) * mv;
    }
    rec.leads.push_back(id);
    rec.units.push_back("mV");
    rec.signal.push_back(std::move(x));
  }
  if (rec.leads.empty()) Fail(ExitCode::kBadInput, "%s: the Rhythm waveform has no <LeadData>", name.c_str());

  // Derived limb leads (Einthoven / Goldberger) when the file stores only I and II.
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < rec.leads.size(); ++i) at[rec.leads[i]] = i;
  if (at.count("I") && at.count("II")) {
    const std::vector<double> I = rec.signal[at["I"]], II = rec.signal[at["II"]];
    const size_t n = I.size();
    std::vector<std::string> derived;
    auto add = [&](const char* lead, double a, double b) {
      if (at.count(lead)) return;
      std::vector<double> y(n);
      for (size_t i = 0; i < n; ++i) y[i] = a * I[i] + b * II[i];
      const size_t pos = std::min<size_t>(at["II"] + 1 + derived.size(), rec.leads.size());
      rec.leads.insert(rec.leads.begin() + static_cast<long>(pos), lead);
      rec.units.insert(rec.units.begin() + static_cast<long>(pos), "mV");
      rec.signal.insert(rec.signal.begin() + static_cast<long>(pos), std::move(y));
      derived.push_back(lead);
    };
    add("III", -1.0, 1.0);
    add("aVR", -0.5, -0.5);
    add("aVL", 1.0, -0.5);
    add("aVF", -0.5, 1.0);
    if (!derived.empty()) {
      std::string list;
      for (const std::string& d : derived) list += (list.empty() ? "" : ", ") + d;
      rec.notes.push_back("derived " + list + " from I and II");
    }
  }

  // GE's own measurements and statements, for comparison (no demographics).
  for (pugi::xml_node m : root.child("RestingECGMeasurements").children())
    rec.comments.push_back(std::string("GE ") + m.name() + ": " + Trimmed(m.child_value()).substr(0, 64));
  for (pugi::xml_node s : root.child("Diagnosis").children("DiagnosisStatement"))
    rec.comments.push_back("GE statement: " + Trimmed(s.child_value("StmtText")).substr(0, 200));
  return rec;
}

EcgRecord ReadMuseXml(const std::string& path) {
  return ParseMuseXml(ReadSmallFile(path, ExitCode::kBadInput, kMaxFileBytes), path);
}

}  // namespace ecgr1
