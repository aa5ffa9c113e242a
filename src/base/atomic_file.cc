#include "base/atomic_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/error.h"

namespace ecgr1 {
namespace {

// Temporary files not yet committed; a signal handler unlinks them.
// Fixed-size array so the handler never allocates.
constexpr int kMaxPending = 16;
char g_pending[kMaxPending][4096];
volatile sig_atomic_t g_pending_used[kMaxPending];

void OnSignal(int sig) {
  RemovePendingOutputs();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

int Register(const std::string& tmp) {
  static bool installed = false;
  if (!installed) {
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    std::signal(SIGHUP, OnSignal);
    installed = true;
  }
  for (int i = 0; i < kMaxPending; ++i) {
    if (!g_pending_used[i] && tmp.size() < sizeof(g_pending[i])) {
      std::memcpy(g_pending[i], tmp.c_str(), tmp.size() + 1);
      g_pending_used[i] = 1;
      return i;
    }
  }
  return -1;
}

void Unregister(const std::string& tmp) {
  for (int i = 0; i < kMaxPending; ++i)
    if (g_pending_used[i] && tmp == g_pending[i]) g_pending_used[i] = 0;
}

}  // namespace

void RemovePendingOutputs() {
  for (int i = 0; i < kMaxPending; ++i)
    if (g_pending_used[i]) ::unlink(g_pending[i]);
}

AtomicOutputFile::AtomicOutputFile(const std::string& path) : path_(path) {
  tmp_path_ = path + ".tmp." + std::to_string(::getpid());
  Register(tmp_path_);
  f_ = std::fopen(tmp_path_.c_str(), "w+b");  // readable too: MapRest maps it shared
  if (f_ == nullptr) {
    const int e = errno;
    Unregister(tmp_path_);
    Fail(ExitCode::kOutput, "%s: cannot create: %s", path.c_str(), std::strerror(e));
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  Unmap();
  if (f_ != nullptr) std::fclose(f_);
  if (!committed_) ::unlink(tmp_path_.c_str());
  Unregister(tmp_path_);
}

void AtomicOutputFile::Write(const void* data, size_t n) {
  if (n == 0) return;
  if (std::fwrite(data, 1, n, f_) != n)
    Fail(ExitCode::kOutput, "%s: write failed: %s", path_.c_str(), std::strerror(errno));
  offset_ += n;
}

void AtomicOutputFile::WriteZeros(size_t n) {
  static const char zeros[4096] = {};
  while (n > 0) {
    const size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
    Write(zeros, k);
    n -= k;
  }
}

uint8_t* AtomicOutputFile::MapRest(uint64_t size) {
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  if (map_ != nullptr || offset_ % page != 0 || size < offset_)
    Fail(ExitCode::kInternal, "%s: cannot map bytes %llu.. of %llu for writing", path_.c_str(),
         static_cast<unsigned long long>(offset_), static_cast<unsigned long long>(size));
  if (std::fflush(f_) != 0) Fail(ExitCode::kOutput, "%s: write failed: %s", path_.c_str(), std::strerror(errno));
  const int fd = fileno(f_);
  const int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
  if (rc == ENOSPC || rc == EFBIG)
    Fail(ExitCode::kOutput, "%s: no room for %.2f GB: %s", path_.c_str(), static_cast<double>(size) / 1e9,
         std::strerror(rc));
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0)  // where fallocate is not supported
    Fail(ExitCode::kOutput, "%s: cannot grow to %llu bytes: %s", path_.c_str(), static_cast<unsigned long long>(size),
         std::strerror(errno));
  if (size == offset_) return nullptr;
  void* p = ::mmap(nullptr, size - offset_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(offset_));
  if (p == MAP_FAILED) Fail(ExitCode::kOutput, "%s: cannot map for writing: %s", path_.c_str(), std::strerror(errno));
  map_ = p;
  map_bytes_ = size - offset_;
  return static_cast<uint8_t*>(p);
}

void AtomicOutputFile::Unmap() {
  if (map_ != nullptr) ::munmap(map_, map_bytes_);
  map_ = nullptr;
}

void AtomicOutputFile::Commit() {
  Unmap();
  if (std::fflush(f_) != 0 || ::fsync(fileno(f_)) != 0)
    Fail(ExitCode::kOutput, "%s: write failed: %s", path_.c_str(), std::strerror(errno));
  const int rc = std::fclose(f_);
  f_ = nullptr;
  if (rc != 0) Fail(ExitCode::kOutput, "%s: write failed: %s", path_.c_str(), std::strerror(errno));
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0)
    Fail(ExitCode::kOutput, "%s: cannot rename into place: %s", path_.c_str(), std::strerror(errno));
  committed_ = true;
}

}  // namespace ecgr1
