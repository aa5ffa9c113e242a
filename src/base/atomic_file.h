// atomic_file.h — output files that appear whole or not at all.
//
// AtomicOutputFile writes to "<path>.tmp.<pid>" in the same folder and renames
// it over <path> on Commit(). If Commit() is never reached (an error was
// thrown, the process is interrupted by SIGINT/SIGTERM), the temporary file is
// removed, so a failed command never leaves a partial output behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ecgr1 {

class AtomicOutputFile {
 public:
  explicit AtomicOutputFile(const std::string& path);
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  void Write(const void* data, size_t n);
  void WriteZeros(size_t n);
  uint64_t offset() const { return offset_; }
  // Grows the file to `size` bytes of zeros (space reserved with
  // posix_fallocate where the file system can, so a full disk is an error
  // here, not a SIGBUS later) and maps [offset(), size) for writing;
  // offset() must be a multiple of the page size. The bytes written through
  // the pointer are part of the file; the mapping ends at Commit() or with
  // the object. Call at most once, and Write nothing after it.
  uint8_t* MapRest(uint64_t size);
  // Flushes, fsyncs and renames into place.
  void Commit();

 private:
  std::string path_, tmp_path_;
  FILE* f_ = nullptr;
  uint64_t offset_ = 0;
  void* map_ = nullptr;
  size_t map_bytes_ = 0;
  void Unmap();
  bool committed_ = false;
};

// Removes any temporary output files still registered (used by signal handlers).
void RemovePendingOutputs();

}  // namespace ecgr1
