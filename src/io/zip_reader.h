// zip_reader.h — a strict reader of STORED (uncompressed) zip archives, as
// torch.save writes them.
//
// What it checks, before handing out any byte: the end-of-central-directory
// record sits exactly at the end of the file (its comment, if any, runs to the
// last byte) and is found within the last 64 KiB + 22 bytes; a zip64 locator /
// record, when present, agrees with it; single disk only; the entry count is
// at most kMaxZipEntries and fits in the central directory's bytes (checked
// before anything is allocated); the central directory lies inside the file
// and is parsed to its exact end; every entry has a non-empty name without NUL
// of at most kMaxZipNameBytes, unique; no encryption; method STORED only
// (compressed size == uncompressed size, so no "zip bomb" ratio is possible);
// the local header agrees with the central one (signature, flags, method,
// name, CRC and sizes — or, with bit 3 set, a data descriptor after the data
// that does); entries lie inside the file, before the central directory, and
// do not overlap each other. CRC-32 is checked by Data() (lazily, so a reader
// that needs 1 GB of a 4 GB archive reads only that 1 GB).
//
// Every failure throws ecgr1::Error(kBadModel) with one line naming the file,
// the entry and the problem. Data spans point into the caller's mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ecgr1 {

constexpr uint64_t kMaxZipEntries = 100000;
constexpr size_t kMaxZipNameBytes = 4096;

// CRC-32 (ISO-HDLC / zip, reflected polynomial 0xEDB88320). Pass the previous
// result as `crc` to continue over more bytes.
uint32_t Crc32(const uint8_t* data, size_t n, uint32_t crc = 0);

// A name from an untrusted file made safe for a one-line message: control and
// non-ASCII bytes escaped as \xNN, cut after 200 characters.
std::string PrintableName(const std::string& s);

struct ZipEntry {
  std::string name;
  uint64_t header_offset = 0;  // of the local file header
  uint64_t data_offset = 0;    // of the (stored) data
  uint64_t size = 0;           // bytes of data (compressed == uncompressed)
  uint64_t end = 0;            // one past the entry (data + data descriptor)
  uint32_t crc = 0;            // CRC-32 from the central directory
};

class ZipArchive {
 public:
  // Parses the archive held in [data, data + size) (normally a MappedFile);
  // `path` is used in messages. The bytes must outlive the archive.
  ZipArchive(const uint8_t* data, size_t size, std::string path);

  const std::string& path() const { return path_; }
  // In central-directory order.
  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* Find(const std::string& name) const;  // nullptr if absent
  // The entry's bytes, after checking their CRC-32 (fails naming the entry).
  const uint8_t* Data(const ZipEntry& e) const;

 private:
  const uint8_t* data_;
  size_t size_;
  std::string path_;
  std::vector<ZipEntry> entries_;
  std::map<std::string, size_t> index_;
};

}  // namespace ecgr1
