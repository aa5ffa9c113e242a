#include "kernels/cpu_features.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace ecgr1 {
namespace kernels {
namespace {

std::atomic<int> g_enabled{-1};  // -1: not decided yet

}  // namespace

// GCC's __builtin_cpu_supports checks CPUID and, for AVX-512, that the OS
// saves the zmm registers (XCR0).
bool CpuHasAvx512Vnni() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
                          __builtin_cpu_supports("f16c") && __builtin_cpu_supports("fma");
  return has;
}

bool CpuHasAvx512Bf16() {
  static const bool has = CpuHasAvx512Vnni() && __builtin_cpu_supports("avx512bf16");
  return has;
}

bool IntrinsicsEnabled() {
  int e = g_enabled.load(std::memory_order_relaxed);
  if (e < 0) {
    const char* env = std::getenv("ECGR1_NO_INTRINSICS");
    e = env != nullptr && std::strcmp(env, "") != 0 && std::strcmp(env, "0") != 0 ? 0 : 1;
    g_enabled.store(e, std::memory_order_relaxed);
  }
  return e == 1;
}

void SetIntrinsicsEnabled(bool on) { g_enabled.store(on ? 1 : 0, std::memory_order_relaxed); }

const char* IntrinsicsName() {
  if (!IntrinsicsEnabled() || !CpuHasAvx512Vnni()) return "none";
  return CpuHasAvx512Bf16() ? "avx512-bf16+vnni" : "avx512-vnni";
}

}  // namespace kernels
}  // namespace ecgr1
