// atomic_file.h — output files that appear whole or not at all.
//
// AtomicOutputFile writes to "<path>.tmp.<pid>" in the same folder and renames
// it over <path> on Commit(). If Commit() is never reached (an error was
// thrown, the process is interrupted by SIGINT/SIGTERM), the temporary file is
// removed, so a failed command never leaves a partial output behind.
#pragma once

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
  // Flushes, fsyncs and renames into place.
  void Commit();

 private:
  std::string path_, tmp_path_;
  FILE* f_ = nullptr;
  uint64_t offset_ = 0;
  bool committed_ = false;
};

// Removes any temporary output files still registered (used by signal handlers).
void RemovePendingOutputs();

}  // namespace ecgr1
