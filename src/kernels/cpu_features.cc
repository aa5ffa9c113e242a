#include "kernels/cpu_features.h"

#include <hwy/targets.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/error.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define ECGR1_X86 1
#elif defined(__aarch64__)
#define ECGR1_ARM64 1
#if defined(__APPLE__)
#include <sys/sysctl.h>
#elif defined(__linux__)
#include <sys/auxv.h>
#endif
#endif

namespace ecgr1 {
namespace kernels {
namespace {

struct CpuFlags {
  bool avx2 = false, avx_vnni = false, avx512 = false, avx512_vnni = false, avx512_bf16 = false, amx = false;
  bool neon = false, dotprod = false;
};

#if ECGR1_X86
uint64_t Xcr0() {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}
#endif

// CPUID (x86) or the kernel's hardware capabilities (arm64), read once.
CpuFlags ReadCpuFlags() {
  CpuFlags f;
#if ECGR1_X86
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool fma = c >> 12 & 1, osxsave = c >> 27 & 1, avx = c >> 28 & 1, f16c = c >> 29 & 1;
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = Xcr0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6, zmm_state = (xcr0 & 0xE6) == 0xE6;
  unsigned b7 = 0, c7 = 0, d7 = 0, a7_1 = 0, b7_1 = 0, c7_1 = 0, d7_1 = 0;
  if (!__get_cpuid_count(7, 0, &a, &b7, &c7, &d7)) return f;
  __get_cpuid_count(7, 1, &a7_1, &b7_1, &c7_1, &d7_1);
  f.avx2 = ymm_state && fma && f16c && (b7 >> 5 & 1);
  f.avx_vnni = f.avx2 && (a7_1 >> 4 & 1);
  const bool f512 = b7 >> 16 & 1, dq = b7 >> 17 & 1, bw = b7 >> 30 & 1, vl = b7 >> 31 & 1;
  f.avx512 = f.avx2 && zmm_state && f512 && dq && bw && vl;
  f.avx512_vnni = f.avx512 && (c7 >> 11 & 1);
  f.avx512_bf16 = f.avx512_vnni && (a7_1 >> 5 & 1);
  f.amx = d7 >> 24 & 1;  // AMX-TILE: marks Intel's Sapphire Rapids generation and later
#elif ECGR1_ARM64
  f.neon = true;  // part of the arm64 base architecture
#if defined(__APPLE__)
  int v = 0;
  size_t len = sizeof(v);
  f.dotprod = sysctlbyname("hw.optional.arm.FEAT_DotProd", &v, &len, nullptr, 0) == 0 && v != 0;
#elif defined(__linux__)
  f.dotprod = (getauxval(AT_HWCAP) & (1UL << 20)) != 0;  // HWCAP_ASIMDDP
#endif
#endif
  return f;
}

const CpuFlags& Cpu() {
  static const CpuFlags f = ReadCpuFlags();
  return f;
}

constexpr Isa kNoCap = static_cast<Isa>(-1);
std::atomic<int> g_cap{static_cast<int>(kNoCap)};
std::atomic<int> g_intrinsics{-1};  // -1: not read from the environment yet

struct Level {
  Isa isa;
  const char* name;
};
#if ECGR1_X86
constexpr Level kLevels[] = {{Isa::kScalar, "scalar"}, {Isa::kSse4, "sse4"}, {Isa::kAvx2, "avx2"},
                             {Isa::kAvxVnni, "avxvnni"}, {Isa::kAvx512, "avx512"}};
#elif ECGR1_ARM64
constexpr Level kLevels[] = {{Isa::kScalar, "scalar"}, {Isa::kNeon, "neon"}, {Isa::kDotprod, "dotprod"}};
#else
constexpr Level kLevels[] = {{Isa::kScalar, "scalar"}};
#endif

std::string LevelNames() {
  std::string s;
  for (const Level& l : kLevels) s += std::string(s.empty() ? "" : ", ") + l.name;
  return s;
}

bool Allowed(Isa level) { return static_cast<int>(level) <= static_cast<int>(MaxIsa()); }

// Highway targets better than the cap: those are switched off.
int64_t DisabledHighwayTargets(Isa cap) {
  const int64_t portable = HWY_EMU128 | HWY_SCALAR;
  switch (cap) {
    case Isa::kScalar: return ~portable;
#if ECGR1_X86
    case Isa::kSse4: return HWY_SSE4 - 1;
    case Isa::kAvx2:
    case Isa::kAvxVnni: return HWY_AVX2 - 1;
#elif ECGR1_ARM64
    case Isa::kNeon: return HWY_NEON - 1;  // no SVE on a CPU without dotprod
#endif
    default: return 0;
  }
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kSse4: return "sse4";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvxVnni: return "avxvnni";
    case Isa::kAvx512: return "avx512";
    case Isa::kNeon: return "neon";
    case Isa::kDotprod: return "dotprod";
  }
  return "?";
}

Isa CpuIsa() {
  const CpuFlags& f = Cpu();
#if ECGR1_X86
  if (f.avx512) return Isa::kAvx512;
  if (f.avx_vnni) return Isa::kAvxVnni;
  if (f.avx2) return Isa::kAvx2;
  return __builtin_cpu_supports("sse4.2") ? Isa::kSse4 : Isa::kScalar;
#elif ECGR1_ARM64
  return f.dotprod ? Isa::kDotprod : Isa::kNeon;
#else
  (void)f;
  return Isa::kScalar;
#endif
}

bool ParseIsa(const char* name, Isa* isa) {
  for (const Level& l : kLevels)
    if (std::strcmp(name, l.name) == 0) {
      *isa = l.isa;
      return true;
    }
  return false;
}

Isa MaxIsa() {
  const int cap = g_cap.load(std::memory_order_relaxed);
  const Isa cpu = CpuIsa();
  if (cap == static_cast<int>(kNoCap) || cap > static_cast<int>(cpu)) return cpu;
  return static_cast<Isa>(cap);
}

void SetMaxIsa(Isa isa) {
  g_cap.store(static_cast<int>(isa), std::memory_order_relaxed);
  hwy::DisableTargets(DisabledHighwayTargets(MaxIsa()));
}

void ApplyMaxIsaFromEnvironment() {
  const char* env = std::getenv("ECGR1_MAX_ISA");
  if (env == nullptr || *env == '\0') return;
  Isa isa;
  if (!ParseIsa(env, &isa))
    Fail(ExitCode::kUsage, "ECGR1_MAX_ISA=%s is not an instruction-set level of this machine; use one of: %s", env,
         LevelNames().c_str());
  SetMaxIsa(isa);
}

bool CpuHasAvx2() { return Cpu().avx2; }
bool CpuHasAvxVnni() { return Cpu().avx_vnni; }
bool CpuHasAvx512Vnni() { return Cpu().avx512_vnni; }
bool CpuHasAvx512Bf16() { return Cpu().avx512_bf16; }
bool CpuHasAmx() { return Cpu().amx; }
bool CpuHasNeonDotprod() { return Cpu().dotprod; }

bool IntrinsicsEnabled() {
  int e = g_intrinsics.load(std::memory_order_relaxed);
  if (e < 0) {
    const char* env = std::getenv("ECGR1_NO_INTRINSICS");
    e = env != nullptr && std::strcmp(env, "") != 0 && std::strcmp(env, "0") != 0 ? 0 : 1;
    g_intrinsics.store(e, std::memory_order_relaxed);
  }
  return e == 1;
}

void SetIntrinsicsEnabled(bool on) { g_intrinsics.store(on ? 1 : 0, std::memory_order_relaxed); }

bool UseAvx512Vnni() { return IntrinsicsEnabled() && Cpu().avx512_vnni && Allowed(Isa::kAvx512); }
// Measured on a Sapphire Rapids core: vdpbf16ps reaches half the f32 FMA
// rate (118 against 234 GFLOP/s), and the vision encoder takes 30.3 s on the
// bf16 path against 20.8 s in Eigen's f32 GEMM; on Zen 4 (no AMX) the bf16
// path doubles the FMA rate (vision 17 s against 32 s in f32). So the bf16
// path is taken where the CPU has AVX512-BF16 but not AMX.
bool UseAvx512Bf16() {
  return IntrinsicsEnabled() && Cpu().avx512_bf16 && !Cpu().amx && Allowed(Isa::kAvx512);
}
bool UseAvxVnni() { return IntrinsicsEnabled() && Cpu().avx_vnni && Allowed(Isa::kAvxVnni); }
bool UseAvx2() { return IntrinsicsEnabled() && Cpu().avx2 && Allowed(Isa::kAvx2); }
bool UseNeonDotprod() { return IntrinsicsEnabled() && Cpu().dotprod && Allowed(Isa::kDotprod); }
bool UseNeon() { return IntrinsicsEnabled() && Cpu().neon && Allowed(Isa::kNeon); }

const char* QuantPathName() {
  if (UseAvx512Vnni()) return "avx512-vnni";
  if (UseAvxVnni()) return "avx-vnni";
  if (UseAvx2()) return "avx2";
  if (UseNeonDotprod()) return "neon-dotprod";
  if (UseNeon()) return "neon";
  return "highway";
}

size_t DraftTokensHint() {
  const std::string path = QuantPathName();
  if (path == "avx512-vnni") return 4;
  if (path == "avx2") return 1;
  return 2;
}

const char* Bf16PathName() { return UseAvx512Bf16() ? "avx512-bf16" : "f32"; }

}  // namespace kernels
}  // namespace ecgr1
