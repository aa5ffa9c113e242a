#include "base/atomic_file.h"

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
  f_ = std::fopen(tmp_path_.c_str(), "wb");
  if (f_ == nullptr) {
    const int e = errno;
    Unregister(tmp_path_);
    Fail(ExitCode::kOutput, "%s: cannot create: %s", path.c_str(), std::strerror(e));
  }
}

AtomicOutputFile::~AtomicOutputFile() {
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

void AtomicOutputFile::Commit() {
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
