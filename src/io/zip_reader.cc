// zip_reader.cc — see zip_reader.h. Record layouts follow PKWARE's APPNOTE.TXT
// (sections 4.3.7 local header, 4.3.9 data descriptor, 4.3.12 central header,
// 4.3.14-16 zip64 end records, 4.5.3 zip64 extra field).
#include "io/zip_reader.h"

#include <algorithm>
#include <cstring>

#include "base/error.h"
#include "base/mapped_file.h"

namespace ecgr1 {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50;        // "PK\3\4"
constexpr uint32_t kCentralSig = 0x02014b50;      // "PK\1\2"
constexpr uint32_t kEocdSig = 0x06054b50;         // "PK\5\6"
constexpr uint32_t kZip64EocdSig = 0x06064b50;    // "PK\6\6"
constexpr uint32_t kZip64LocatorSig = 0x07064b50; // "PK\6\7"
constexpr uint32_t kDescriptorSig = 0x08074b50;   // "PK\7\8"
constexpr uint64_t kLocalBytes = 30, kCentralBytes = 46, kEocdBytes = 22;
constexpr uint64_t kZip64LocatorBytes = 20, kZip64EocdBytes = 56;
constexpr uint64_t kMaxCommentBytes = 0xffff;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint32_t kU32Max = 0xffffffffu;

// General-purpose flag bits.
constexpr uint16_t kFlagEncrypted = 1u << 0;
constexpr uint16_t kFlagDescriptor = 1u << 3;
constexpr uint16_t kFlagStrongEncryption = 1u << 6;
constexpr uint16_t kFlagMaskedHeaders = 1u << 13;  // central directory encryption

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t Le64(const uint8_t* p) { return Le32(p) | (static_cast<uint64_t>(Le32(p + 4)) << 32); }

// Slicing-by-8 tables: t[0] is the classic byte table; t[k][b] is the CRC of
// byte b followed by k zero bytes, so eight bytes are folded per step.
struct CrcTables {
  uint32_t t[8][256];
  CrcTables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
      t[0][i] = c;
    }
    for (int k = 1; k < 8; ++k)
      for (uint32_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  }
};

const CrcTables& Tables() {
  static const CrcTables tables;
  return tables;
}

std::string Printable(const std::string& s) { return PrintableName(s); }

// The extra-field records of one header must tile its extra bytes exactly;
// returns the zip64 record's payload (nullptr, 0 if absent).
struct Zip64Extra {
  const uint8_t* p = nullptr;
  size_t n = 0;
};

Zip64Extra ParseExtra(const uint8_t* p, size_t n, const char* path, const std::string& name, const char* where) {
  Zip64Extra z;
  size_t pos = 0;
  while (pos < n) {
    if (n - pos < 4)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': %s extra field has %zu stray bytes", path,
           Printable(name).c_str(), where, n - pos);
    const uint16_t id = Le16(p + pos), len = Le16(p + pos + 2);
    if (len > n - pos - 4)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': %s extra record 0x%04x of %u bytes runs past the extra field",
           path, Printable(name).c_str(), where, id, len);
    if (id == kZip64ExtraId) {
      if (z.p != nullptr)
        Fail(ExitCode::kBadModel, "%s: zip entry '%s': two zip64 extra records in the %s header", path,
             Printable(name).c_str(), where);
      z.p = p + pos + 4;
      z.n = len;
    }
    pos += 4 + static_cast<size_t>(len);
  }
  return z;
}

// Reads the next 64-bit value of a zip64 extra record (fields appear in a
// fixed order, each only if its 32-bit field holds the 0xFFFFFFFF sentinel).
uint64_t Zip64Field(const Zip64Extra& z, size_t* pos, const char* path, const std::string& name, const char* what) {
  if (z.p == nullptr || z.n < *pos + 8)
    Fail(ExitCode::kBadModel, "%s: zip entry '%s': %s is 0xFFFFFFFF but the zip64 extra record does not give it",
         path, Printable(name).c_str(), what);
  const uint64_t v = Le64(z.p + *pos);
  *pos += 8;
  return v;
}

// Finds the end-of-central-directory record: its comment must end exactly at
// the end of the file. Searches the last 64 KiB + 22 bytes, back to front.
uint64_t FindEocd(const uint8_t* d, uint64_t size, const char* path) {
  if (size < kEocdBytes)
    Fail(ExitCode::kBadModel, "%s: file is %llu bytes, too short to be a zip archive", path,
         static_cast<unsigned long long>(size));
  const uint64_t last = size - kEocdBytes;
  const uint64_t first = last > kMaxCommentBytes ? last - kMaxCommentBytes : 0;
  for (uint64_t pos = last + 1; pos-- > first;) {
    if (Le32(d + pos) == kEocdSig && Le16(d + pos + 20) == size - pos - kEocdBytes) return pos;
  }
  Fail(ExitCode::kBadModel, "%s: no zip end-of-central-directory record (not a zip archive, or truncated)", path);
}

}  // namespace

std::string PrintableName(const std::string& s) {
  std::string out;
  size_t i = 0;
  for (; i < s.size() && out.size() < 200; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += StrFormat("\\x%02x", c);
    }
  }
  if (i < s.size()) out += "...";
  return out;
}

uint32_t Crc32(const uint8_t* p, size_t n, uint32_t crc) {
  const CrcTables& tb = Tables();
  const auto& t = tb.t;
  uint32_t c = ~crc;
  while (n >= 8) {
    const uint32_t lo = Le32(p) ^ c, hi = Le32(p + 4);
    c = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^ t[3][hi & 0xff] ^
        t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

ZipArchive::ZipArchive(const uint8_t* data, size_t size, std::string path)
    : data_(data), size_(size), path_(std::move(path)) {
  const char* p = path_.c_str();
  const uint8_t* d = data_;
  const uint64_t eocd = FindEocd(d, size_, p);

  // --- End of central directory (and its zip64 twin) -----------------------
  uint64_t disk = Le16(d + eocd + 4), cd_disk = Le16(d + eocd + 6);
  uint64_t n_disk = Le16(d + eocd + 8), n_total = Le16(d + eocd + 10);
  uint64_t cd_size = Le32(d + eocd + 12), cd_off = Le32(d + eocd + 16);
  uint64_t records_start = eocd;  // the central directory must end before this
  if (eocd >= kZip64LocatorBytes && Le32(d + eocd - kZip64LocatorBytes) == kZip64LocatorSig) {
    const uint8_t* loc = d + eocd - kZip64LocatorBytes;
    const uint32_t loc_disk = Le32(loc + 4), disks = Le32(loc + 16);
    const uint64_t z_off = Le64(loc + 8);
    const uint64_t loc_off = eocd - kZip64LocatorBytes;
    if (loc_disk != 0 || disks > 1)
      Fail(ExitCode::kBadModel, "%s: multi-disk zip archives are not supported", p);
    if (z_off > loc_off || loc_off - z_off < kZip64EocdBytes)
      Fail(ExitCode::kBadModel, "%s: zip64 end-of-central-directory offset %llu is not before its locator at %llu", p,
           static_cast<unsigned long long>(z_off), static_cast<unsigned long long>(loc_off));
    const uint8_t* z = d + z_off;
    if (Le32(z) != kZip64EocdSig)
      Fail(ExitCode::kBadModel, "%s: no zip64 end-of-central-directory record at offset %llu", p,
           static_cast<unsigned long long>(z_off));
    // "size of zip64 end of central directory record" excludes the first 12 bytes.
    if (Le64(z + 4) != loc_off - z_off - 12)
      Fail(ExitCode::kBadModel, "%s: zip64 end-of-central-directory record claims %llu bytes but %llu lie before "
           "its locator", p, static_cast<unsigned long long>(Le64(z + 4)),
           static_cast<unsigned long long>(loc_off - z_off - 12));
    const uint64_t z_disk = Le32(z + 16), z_cd_disk = Le32(z + 20), z_n_disk = Le64(z + 24);
    const uint64_t z_n_total = Le64(z + 32), z_cd_size = Le64(z + 40), z_cd_off = Le64(z + 48);
    // Each 32-bit field is either the sentinel or the same value.
    const bool agree = (disk == 0xffff || disk == z_disk) && (cd_disk == 0xffff || cd_disk == z_cd_disk) &&
                       (n_disk == 0xffff || n_disk == z_n_disk) && (n_total == 0xffff || n_total == z_n_total) &&
                       (cd_size == kU32Max || cd_size == z_cd_size) && (cd_off == kU32Max || cd_off == z_cd_off);
    if (!agree)
      Fail(ExitCode::kBadModel, "%s: the zip64 and classic end-of-central-directory records disagree", p);
    disk = z_disk;
    cd_disk = z_cd_disk;
    n_disk = z_n_disk;
    n_total = z_n_total;
    cd_size = z_cd_size;
    cd_off = z_cd_off;
    records_start = z_off;
  }
  if (disk != 0 || cd_disk != 0 || n_disk != n_total)
    Fail(ExitCode::kBadModel, "%s: multi-disk zip archives are not supported", p);
  uint64_t cd_end;
  if (AddOverflow(cd_off, cd_size, &cd_end) || cd_end > records_start)
    Fail(ExitCode::kBadModel, "%s: central directory (offset %llu, %llu bytes) runs past the end records at %llu", p,
         static_cast<unsigned long long>(cd_off), static_cast<unsigned long long>(cd_size),
         static_cast<unsigned long long>(records_start));
  if (n_total > kMaxZipEntries)
    Fail(ExitCode::kBadModel, "%s: zip archive claims %llu entries, more than the %llu allowed", p,
         static_cast<unsigned long long>(n_total), static_cast<unsigned long long>(kMaxZipEntries));
  if (n_total * kCentralBytes > cd_size)
    Fail(ExitCode::kBadModel, "%s: zip archive claims %llu entries but its central directory is only %llu bytes", p,
         static_cast<unsigned long long>(n_total), static_cast<unsigned long long>(cd_size));

  // --- Central directory -----------------------------------------------------
  entries_.reserve(static_cast<size_t>(n_total));
  uint64_t pos = cd_off;
  for (uint64_t i = 0; i < n_total; ++i) {
    if (cd_end - pos < kCentralBytes)
      Fail(ExitCode::kBadModel, "%s: central directory ends inside entry %llu of %llu", p,
           static_cast<unsigned long long>(i), static_cast<unsigned long long>(n_total));
    const uint8_t* c = d + pos;
    if (Le32(c) != kCentralSig)
      Fail(ExitCode::kBadModel, "%s: bad signature of central directory entry %llu at offset %llu", p,
           static_cast<unsigned long long>(i), static_cast<unsigned long long>(pos));
    const uint16_t flags = Le16(c + 8), method = Le16(c + 10);
    const uint32_t crc = Le32(c + 16), csize32 = Le32(c + 20), usize32 = Le32(c + 24);
    const uint64_t nlen = Le16(c + 28), xlen = Le16(c + 30), clen = Le16(c + 32);
    const uint16_t disk_start = Le16(c + 34);
    const uint32_t off32 = Le32(c + 42);
    if (cd_end - pos - kCentralBytes < nlen + xlen + clen)
      Fail(ExitCode::kBadModel, "%s: central directory entry %llu runs past the central directory", p,
           static_cast<unsigned long long>(i));
    ZipEntry e;
    e.name.assign(reinterpret_cast<const char*>(c + kCentralBytes), nlen);
    const std::string shown = Printable(e.name);
    const char* n = shown.c_str();
    if (nlen == 0) Fail(ExitCode::kBadModel, "%s: zip entry %llu has an empty name", p, static_cast<unsigned long long>(i));
    if (nlen > kMaxZipNameBytes)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': name of %llu bytes is longer than %zu", p, n,
           static_cast<unsigned long long>(nlen), kMaxZipNameBytes);
    if (e.name.find('\0') != std::string::npos)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': name contains a NUL byte", p, n);
    if (index_.count(e.name)) Fail(ExitCode::kBadModel, "%s: zip entry '%s' appears twice", p, n);
    if (flags & (kFlagEncrypted | kFlagStrongEncryption | kFlagMaskedHeaders))
      Fail(ExitCode::kBadModel, "%s: zip entry '%s' is encrypted; encrypted archives are not supported", p, n);
    if (method == 8)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': compressed zip entries are not supported (deflate); "
           "torch.save writes them stored", p, n);
    if (method != 0)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': unsupported compression method %u (only stored entries are "
           "supported)", p, n, method);
    const Zip64Extra z = ParseExtra(c + kCentralBytes + nlen, xlen, p, e.name, "central");
    size_t zpos = 0;
    const uint64_t usize = usize32 == kU32Max ? Zip64Field(z, &zpos, p, e.name, "uncompressed size") : usize32;
    const uint64_t csize = csize32 == kU32Max ? Zip64Field(z, &zpos, p, e.name, "compressed size") : csize32;
    e.header_offset = off32 == kU32Max ? Zip64Field(z, &zpos, p, e.name, "local header offset") : off32;
    if (disk_start == 0xffff ? Zip64Field(z, &zpos, p, e.name, "disk number") != 0 : disk_start != 0)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s' starts on another disk", p, n);
    if (csize != usize)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': stored entry claims %llu bytes uncompressed but %llu stored", p,
           n, static_cast<unsigned long long>(usize), static_cast<unsigned long long>(csize));
    e.size = csize;
    e.crc = crc;

    // --- Its local header ----------------------------------------------------
    const uint64_t h = e.header_offset;
    if (h > cd_off || cd_off - h < kLocalBytes)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': local header offset %llu is not before the central directory "
           "at %llu", p, n, static_cast<unsigned long long>(h), static_cast<unsigned long long>(cd_off));
    const uint8_t* l = d + h;
    if (Le32(l) != kLocalSig)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': no local header at offset %llu", p, n,
           static_cast<unsigned long long>(h));
    const uint64_t lnlen = Le16(l + 26), lxlen = Le16(l + 28);
    if (Le16(l + 6) != flags || Le16(l + 8) != method)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': local header flags/method (0x%04x/%u) differ from the central "
           "directory's (0x%04x/%u)", p, n, Le16(l + 6), Le16(l + 8), flags, method);
    if (cd_off - h - kLocalBytes < lnlen + lxlen)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': local header runs into the central directory", p, n);
    if (lnlen != nlen || std::memcmp(l + kLocalBytes, c + kCentralBytes, nlen) != 0)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': local header names it '%s'", p, n,
           Printable(std::string(reinterpret_cast<const char*>(l + kLocalBytes), lnlen)).c_str());
    const Zip64Extra lz = ParseExtra(l + kLocalBytes + lnlen, lxlen, p, e.name, "local");
    e.data_offset = h + kLocalBytes + lnlen + lxlen;
    uint64_t data_end;
    if (AddOverflow(e.data_offset, e.size, &data_end) || data_end > cd_off)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s': %llu bytes of data at offset %llu run past the start of the "
           "central directory at %llu (truncated file, or a size that lies)", p, n,
           static_cast<unsigned long long>(e.size), static_cast<unsigned long long>(e.data_offset),
           static_cast<unsigned long long>(cd_off));
    const uint32_t lcrc = Le32(l + 14), lcsize32 = Le32(l + 18), lusize32 = Le32(l + 22);
    if (flags & kFlagDescriptor) {
      // CRC and sizes follow the data: optional signature, CRC, then 32- or
      // 64-bit sizes. The local fields may be 0 (or already right).
      if ((lcrc != 0 && lcrc != crc) || (lcsize32 != 0 && lcsize32 != kU32Max && lcsize32 != csize) ||
          (lusize32 != 0 && lusize32 != kU32Max && lusize32 != usize))
        Fail(ExitCode::kBadModel, "%s: zip entry '%s': local header CRC/sizes differ from the central directory's", p,
             n);
      e.end = 0;
      for (int sig = 1; sig >= 0 && e.end == 0; --sig) {
        for (int wide = 0; wide <= 1 && e.end == 0; ++wide) {
          const uint64_t len = (sig ? 4 : 0) + 4 + (wide ? 16 : 8);
          if (cd_off - data_end < len) continue;
          const uint8_t* q = d + data_end;
          if (sig && Le32(q) != kDescriptorSig) continue;
          q += sig ? 4 : 0;
          const uint64_t dc = wide ? Le64(q + 4) : Le32(q + 4), du = wide ? Le64(q + 12) : Le32(q + 8);
          if (Le32(q) == crc && dc == csize && du == usize) e.end = data_end + len;
        }
      }
      if (e.end == 0)
        Fail(ExitCode::kBadModel, "%s: zip entry '%s': data descriptor missing or disagreeing with the central "
             "directory (CRC %08x, %llu bytes)", p, n, crc, static_cast<unsigned long long>(csize));
    } else {
      size_t lzpos = 0;
      const uint64_t lusize = lusize32 == kU32Max ? Zip64Field(lz, &lzpos, p, e.name, "local uncompressed size")
                                                   : lusize32;
      const uint64_t lcsize = lcsize32 == kU32Max ? Zip64Field(lz, &lzpos, p, e.name, "local compressed size")
                                                   : lcsize32;
      if (lcrc != crc || lcsize != csize || lusize != usize)
        Fail(ExitCode::kBadModel, "%s: zip entry '%s': local header (CRC %08x, %llu/%llu bytes) differs from the "
             "central directory (CRC %08x, %llu/%llu bytes)", p, n, lcrc, static_cast<unsigned long long>(lcsize),
             static_cast<unsigned long long>(lusize), crc, static_cast<unsigned long long>(csize),
             static_cast<unsigned long long>(usize));
      e.end = data_end;
    }
    index_[e.name] = entries_.size();
    entries_.push_back(std::move(e));
    pos += kCentralBytes + nlen + xlen + clen;
  }
  if (pos != cd_end)
    Fail(ExitCode::kBadModel, "%s: central directory has %llu bytes after its %llu entries", p,
         static_cast<unsigned long long>(cd_end - pos), static_cast<unsigned long long>(n_total));

  // --- Entries must not overlap (each one's header to the end of its data) -----
  std::vector<const ZipEntry*> by_offset;
  by_offset.reserve(entries_.size());
  for (const ZipEntry& e : entries_) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const ZipEntry* a, const ZipEntry* b) { return a->header_offset < b->header_offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    if (by_offset[i]->header_offset < by_offset[i - 1]->end)
      Fail(ExitCode::kBadModel, "%s: zip entries '%s' and '%s' overlap", p, Printable(by_offset[i - 1]->name).c_str(),
           Printable(by_offset[i]->name).c_str());
  }
}

const ZipEntry* ZipArchive::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const uint8_t* ZipArchive::Data(const ZipEntry& e) const {
  const uint8_t* q = data_ + e.data_offset;
  const uint32_t got = Crc32(q, static_cast<size_t>(e.size));
  if (got != e.crc)
    Fail(ExitCode::kBadModel, "%s: zip entry '%s': CRC-32 mismatch (central directory %08x, data %08x): the file is "
         "corrupt", path_.c_str(), Printable(e.name).c_str(), e.crc, got);
  return q;
}

}  // namespace ecgr1
