// attention_ops.cc — Highway SIMD versions of the kernels in attention_ops.h,
// compiled once per x86 target and dispatched at run time (the same pattern as
// ops.cc: this file re-includes itself through hwy/foreach_target.h).
//
// bf16 -> f32 is exact: widen u16 -> u32 and shift left 16. The loops follow
// Dot / Axpy in ops.cc (four accumulators for the dot product; a zero-padded
// vector step for the Axpy tail so every element sees the same vector code).

// --- Once-only part. ---------------------------------------------------------
#ifndef ECGR1_KERNELS_ATTENTION_OPS_CC_ONCE_
#define ECGR1_KERNELS_ATTENTION_OPS_CC_ONCE_

#include "kernels/attention_ops.h"

#include <cstring>
#include <vector>

#include "base/bf16.h"
#include "kernels/cpu_features.h"
#include "kernels/matmul_bf16.h"
#include "kernels/ops.h"

#endif  // ECGR1_KERNELS_ATTENTION_OPS_CC_ONCE_

// --- Per-target part. --------------------------------------------------------
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/attention_ops.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace ecgr1 {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

constexpr size_t kMaxLanesF = HWY_MAX_BYTES / sizeof(float);

// Lanes(DF) bf16 values widened to f32.
HWY_INLINE VF LoadBf16(DF df, const uint16_t* HWY_RESTRICT p) {
  const hn::RebindToUnsigned<DF> du32;
  const hn::Rebind<uint16_t, DF> du16;
  return hn::BitCast(df, hn::ShiftLeft<16>(hn::PromoteTo(du32, hn::LoadU(du16, p))));
}

float DotBf16Impl(const float* HWY_RESTRICT a, const uint16_t* HWY_RESTRICT b, size_t n) {
  const DF df;
  const size_t N = hn::Lanes(df);
  VF s0 = hn::Zero(df), s1 = hn::Zero(df), s2 = hn::Zero(df), s3 = hn::Zero(df);
  size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    s0 = hn::MulAdd(hn::LoadU(df, a + i), LoadBf16(df, b + i), s0);
    s1 = hn::MulAdd(hn::LoadU(df, a + i + N), LoadBf16(df, b + i + N), s1);
    s2 = hn::MulAdd(hn::LoadU(df, a + i + 2 * N), LoadBf16(df, b + i + 2 * N), s2);
    s3 = hn::MulAdd(hn::LoadU(df, a + i + 3 * N), LoadBf16(df, b + i + 3 * N), s3);
  }
  for (; i + N <= n; i += N) s0 = hn::MulAdd(hn::LoadU(df, a + i), LoadBf16(df, b + i), s0);
  float s = hn::GetLane(hn::SumOfLanes(df, hn::Add(hn::Add(s0, s1), hn::Add(s2, s3))));
  for (; i < n; ++i) s += a[i] * Bf16ToF32(b[i]);
  return s;
}

void AxpyBf16Impl(float a, const uint16_t* HWY_RESTRICT x, float* HWY_RESTRICT y, size_t n) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const VF va = hn::Set(df, a);
  size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(hn::MulAdd(va, LoadBf16(df, x + i), hn::LoadU(df, y + i)), df, y + i);
  if (i < n) {
    HWY_ALIGN uint16_t bx[kMaxLanesF] = {};
    HWY_ALIGN float by[kMaxLanesF] = {};
    std::memcpy(bx, x + i, (n - i) * sizeof(uint16_t));
    std::memcpy(by, y + i, (n - i) * sizeof(float));
    hn::Store(hn::MulAdd(va, LoadBf16(df, bx), hn::Load(df, by)), df, by);
    std::memcpy(y + i, by, (n - i) * sizeof(float));
  }
}

int64_t AttentionTargetImpl() { return HWY_TARGET; }

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ecgr1
HWY_AFTER_NAMESPACE();

// --- Dispatch. ---------------------------------------------------------------
#if HWY_ONCE
namespace ecgr1 {
namespace kernels {

HWY_EXPORT(DotBf16Impl);
HWY_EXPORT(AxpyBf16Impl);
HWY_EXPORT(AttentionTargetImpl);

float DotBf16(const float* a, const uint16_t* b, size_t n) { return HWY_DYNAMIC_DISPATCH(DotBf16Impl)(a, b, n); }

bool Bf16PathAvailable() { return IntrinsicsEnabled() && CpuHasAvx512Bf16(); }

void AttentionScores(const float* q, size_t n_q, const float* k, size_t n_k, size_t hd, bool bf16, float* scores) {
  if (bf16 && hd % 2 == 0 && Bf16PathAvailable()) {
    static thread_local std::vector<uint16_t> pack;  // grows, then reused
    PackKeysBf16(k, n_k, hd, &pack);
    ScoresBf16Avx512(pack, n_k, q, n_q, hd, scores);
    return;
  }
  // The keys play the weight matrix [n_k, hd].
  MatMul(WeightMatrix{DType::kF32, k, n_k, hd}, q, n_q, scores);
}
void AxpyBf16(float a, const uint16_t* x, float* y, size_t n) { HWY_DYNAMIC_DISPATCH(AxpyBf16Impl)(a, x, y, n); }
const char* AttentionTargetName() { return hwy::TargetName(HWY_DYNAMIC_DISPATCH(AttentionTargetImpl)()); }

}  // namespace kernels
}  // namespace ecgr1
#endif  // HWY_ONCE
