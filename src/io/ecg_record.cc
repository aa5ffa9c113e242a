// ecg_record.cc — ReadEcgRecord: picks the reader from the file name.
//
// ".csv" -> ReadEcgCsv, ".npy" -> ReadEcgNpy, ".xml" -> ReadMuseXml
// (case-insensitive); anything else
// is a WFDB record ("name", "name.hea", "name.dat", "name.mat"), whose reader
// fails with a message naming the missing header when there is none.
#include "io/ecg_record.h"

#include "base/strings.h"
#include "io/ecg_csv_npy.h"
#include "io/muse_xml.h"
#include "io/wfdb.h"

namespace ecgr1 {

namespace {

bool HasExtension(const std::string& path, const char* ext) {
  const size_t n = std::char_traits<char>::length(ext);
  if (path.size() < n) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = path[path.size() - n + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != ext[i]) return false;
  }
  return true;
}

std::string Normalised(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return AsciiLower(std::string_view(s).substr(b, e - b));
}

}  // namespace

double MillivoltsPerUnit(const std::string& unit) {
  const std::string u = Normalised(unit);
  if (u.empty() || u == "mv" || u == "millivolt" || u == "millivolts") return 1.0;
  if (u == "uv" || u == "\xC2\xB5v" || u == "\xCE\xBCv" || u == "microvolt" || u == "microvolts") return 1e-3;
  if (u == "nv" || u == "nanovolt" || u == "nanovolts") return 1e-6;
  if (u == "v" || u == "volt" || u == "volts") return 1e3;
  return 0.0;
}

bool IsVoltageLead(const EcgRecord& r, size_t l) { return l >= r.units.size() || MillivoltsPerUnit(r.units[l]) > 0; }

EcgRecord ReadEcgRecord(const std::string& path, const EcgReadOptions& opt) {
  if (HasExtension(path, ".csv")) return ReadEcgCsv(path, opt);
  if (HasExtension(path, ".npy")) return ReadEcgNpy(path, opt);
  if (HasExtension(path, ".xml")) return ReadMuseXml(path);
  return ReadWfdbRecord(path);
}

}  // namespace ecgr1
