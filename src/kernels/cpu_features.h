// cpu_features.h — which instruction sets the kernels may use: what the CPU
// has, capped by ECGR1_MAX_ISA, and one switch for the intrinsics paths.
//
// The kernel layer has two kinds of SIMD code. Highway kernels are compiled
// for every target and dispatched at run time; intrinsics paths (q8/q4 with
// AVX-512 VNNI, AVX-VNNI, AVX2, NEON dotprod or plain NEON; bf16 with
// AVX512-BF16) exist because Highway 1.0.3 has no target or op for them.
// Both obey one cap, an instruction-set level, so that every path can be
// tested and measured on a bigger CPU: ECGR1_MAX_ISA=avx2 on a Zen 4 runs
// what a Zen 3 laptop runs.
//
// Levels, in order, per architecture:
//   x86-64:  scalar < sse4 < avx2 < avxvnni < avx512
//   arm64:   scalar < neon < dotprod
//   scalar   no intrinsics; Highway at its lowest compiled target (portable
//            scalar code on x86-64; NEON on arm64, its baseline)
//   sse4     Highway's SSE4 target
//   avx2     AVX2 + FMA + F16C (Haswell, Zen 1-3); q8/q4 with vpmaddubsw
//   avxvnni  avx2 + AVX-VNNI (vpdpbusd on ymm: Alder Lake and later clients)
//   avx512   AVX-512 F/BW/DQ/VL, with VNNI and BF16 where the CPU has them
//   neon     NEON (every arm64 CPU); q8/q4 with widening multiplies
//   dotprod  NEON + SDOT (Armv8.2 and later: Graviton 2+, Apple M1+)
// The top level of each architecture caps nothing.
#pragma once

#include <cstddef>

namespace ecgr1 {
namespace kernels {

enum class Isa : int { kScalar, kSse4, kAvx2, kAvxVnni, kAvx512, kNeon, kDotprod };

// The level's name as ECGR1_MAX_ISA spells it ("avx2", ...).
const char* IsaName(Isa isa);

// The highest level this CPU supports (e.g. kAvx512 on Zen 4, kAvx2 on Zen 3).
Isa CpuIsa();

// Parses a level name of this CPU's architecture; false for anything else.
bool ParseIsa(const char* name, Isa* isa);

// The cap: the highest level the kernels may use. Default: CpuIsa().
Isa MaxIsa();
// Sets the cap (clamped to the CPU) and applies it to Highway's dispatch.
// Not thread-safe against running kernels: call it between them.
void SetMaxIsa(Isa isa);
// Reads ECGR1_MAX_ISA once, if set, and applies it; throws Error(kUsage)
// naming the variable and the allowed values if it is not a level of this
// architecture. main() calls it before any kernel runs.
void ApplyMaxIsaFromEnvironment();

// CPU support, whatever the cap (x86: with the OS saving the registers).
bool CpuHasAvx2();        // AVX2 + FMA + F16C
bool CpuHasAvxVnni();     // the above + AVX-VNNI
bool CpuHasAvx512Vnni();  // AVX-512 F/BW/DQ/VL + VNNI, F16C, FMA
bool CpuHasAvx512Bf16();  // the above + AVX512-BF16
bool CpuHasAmx();         // AMX tiles (Sapphire Rapids and later Xeons)
bool CpuHasNeonDotprod();

// True unless turned off by SetIntrinsicsEnabled(false) or by the
// environment variable ECGR1_NO_INTRINSICS=1 (read once): then every kernel
// takes its Highway path, at the best target the cap allows.
bool IntrinsicsEnabled();
void SetIntrinsicsEnabled(bool on);

// Whether an intrinsics path may run: the CPU has it, the cap allows it, the
// intrinsics are enabled. UseAvx512Bf16 also needs the path to pay: not on
// CPUs with AMX, where vdpbf16ps runs at half the f32 FMA rate (see the .cc).
bool UseAvx512Vnni();
bool UseAvx512Bf16();
bool UseAvxVnni();
bool UseAvx2();
bool UseNeonDotprod();
bool UseNeon();

// The path q8/q4 matrix products take now: "avx512-vnni", "avx-vnni",
// "avx2", "neon-dotprod", "neon" or "highway".
const char* QuantPathName();
// The longest draft worth verifying on the q8/q4 path taken now: the pass
// over 1 + k tokens must cost little more than a one-token step. Measured on
// ECG-R1-8B q4 (Sapphire Rapids, 2 threads; bench --only verify,replay on the
// real outputs): AVX-512 VNNI 5 tokens 1.27x a step, best at 4 (10.3 tokens/s
// predicted against 5.5); AVX-VNNI 3 tokens 1.41x, 2; AVX2 2 tokens 1.17x but
// 3 tokens 1.76x, 1. Elsewhere (unmeasured) 2.
size_t DraftTokensHint();
// "avx512-bf16" when bf16 weights that allow bf16 activations use
// AVX512-BF16, else "f32".
const char* Bf16PathName();

}  // namespace kernels
}  // namespace ecgr1
