// cpu_features.h — run-time checks for the instruction sets that the
// intrinsics paths need (Highway 1.0.3 has no target for AVX512-BF16 or AMX),
// and one switch to turn those paths off, so tests can compare them with the
// Highway and scalar paths on the same machine.
#pragma once

namespace ecgr1 {
namespace kernels {

// AVX-512 F/BW/VL + VNNI (vpdpbusd) with OS support for the zmm state.
bool CpuHasAvx512Vnni();
// The above plus AVX512-BF16 (vdpbf16ps).
bool CpuHasAvx512Bf16();

// True unless turned off by SetIntrinsicsEnabled(false) or by the
// environment variable ECGR1_NO_INTRINSICS=1 (read once).
bool IntrinsicsEnabled();
void SetIntrinsicsEnabled(bool on);

// "avx512-vnni", "avx512-bf16+vnni" or "none": the intrinsics paths in use.
const char* IntrinsicsName();

}  // namespace kernels
}  // namespace ecgr1
