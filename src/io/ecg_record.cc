// ecg_record.cc — ReadEcgRecord: picks the reader from the file name.
//
// ".csv" -> ReadEcgCsv, ".npy" -> ReadEcgNpy, ".xml" -> ReadMuseXml
// (case-insensitive); anything else
// is a WFDB record ("name", "name.hea", "name.dat", "name.mat"), whose reader
// fails with a message naming the missing header when there is none.
#include "io/ecg_record.h"

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

}  // namespace

EcgRecord ReadEcgRecord(const std::string& path, const EcgReadOptions& opt) {
  if (HasExtension(path, ".csv")) return ReadEcgCsv(path, opt);
  if (HasExtension(path, ".npy")) return ReadEcgNpy(path, opt);
  if (HasExtension(path, ".xml")) return ReadMuseXml(path);
  return ReadWfdbRecord(path);
}

}  // namespace ecgr1
