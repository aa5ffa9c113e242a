#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>

#include "app/commands.h"
#include "base/error.h"

namespace ecgr1 {

const char* const kDefaultModelPath = "weights/ECG-R1-8B-RL.ecgr1";

namespace {

bool IsFile(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Folder of the running binary (for <binary>/../weights).
std::string ExeDir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string s(buf, static_cast<size_t>(n));
  const size_t slash = s.rfind('/');
  return slash == std::string::npos ? "." : s.substr(0, slash);
}

}  // namespace

std::string FindModel(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("ECGR1_MODEL"); env != nullptr && *env != '\0') return env;
  const std::string candidates[] = {kDefaultModelPath, ExeDir() + "/../" + kDefaultModelPath,
                                    ExeDir() + "/../../" + kDefaultModelPath};
  for (const std::string& c : candidates)
    if (IsFile(c)) return c;
  Fail(ExitCode::kBadModel,
       "no model found: pass -m FILE, set ECGR1_MODEL, or run tools/get-weights.sh to download and convert "
       "ECG-R1-8B-RL into %s", kDefaultModelPath);
}

std::string TextArgument(const std::string& arg, const char* what) {
  if (arg != "-") return arg;
  std::string s;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) {
    s.append(buf, n);
    if (s.size() > (64u << 20)) Fail(ExitCode::kBadInput, "%s from standard input is larger than 64 MB", what);
  }
  return s;
}

void SetThreads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

}  // namespace ecgr1
