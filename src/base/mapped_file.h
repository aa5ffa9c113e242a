// mapped_file.h — read-only memory-mapped files and bounds-checked byte spans.
//
// A MappedFile maps a whole file read-only (weights are used in place from the
// mapping; nothing is copied). ByteReader walks a span of untrusted bytes and
// fails with a message naming the file whenever a read would leave the span.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"

namespace ecgr1 {

class MappedFile {
 public:
  // Maps `path` read-only. `code` is the exit code used when the file cannot
  // be opened (kBadInput for records, kBadModel for models).
  MappedFile(const std::string& path, ExitCode code);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Hints the kernel that [offset, offset+len) will be read soon.
  void WillNeed(size_t offset, size_t len) const;

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Reads a whole (small) file into a string; fails with `code` naming the file.
// Refuses files larger than `max_bytes`.
std::string ReadSmallFile(const std::string& path, ExitCode code, size_t max_bytes = 256u << 20);

// Sequential little-endian reader over untrusted bytes.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, std::string what, ExitCode code)
      : data_(data), size_(size), what_(std::move(what)), code_(code) {}
  size_t pos() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  uint8_t U8();
  uint32_t U32();
  uint64_t U64();
  // Returns a pointer to the next n bytes and advances.
  const uint8_t* Bytes(size_t n);
  std::string String(size_t n) {
    const uint8_t* p = Bytes(n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  [[noreturn]] void Truncated(size_t need) const;

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string what_;
  ExitCode code_;
};

// Overflow-checked arithmetic; returns false on overflow.
inline bool MulOverflow(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}
inline bool AddOverflow(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_add_overflow(a, b, out);
}

}  // namespace ecgr1
