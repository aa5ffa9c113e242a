// ops.cc — Highway SIMD versions of the kernels in ops.h, compiled once per
// x86 target (SCALAR, SSSE3, SSE4, AVX2, AVX3, AVX3_DL) and dispatched once per
// call at run time (HWY_DYNAMIC_DISPATCH in the entry points at the bottom).
//
// MatMul is the hot path:
//  - decode (n == 1, a matrix-vector product) is memory-bound: each weight row is
//    streamed exactly once, four rows at a time sharing each load of x, the
//    stored type (f32 / bf16 / f16) widened to f32 in registers.
//  - prefill (n > 1) converts a block of weight rows to f32 once into a
//    thread-local buffer (sized to stay in L2) and reuses it for all n
//    activation rows with a 4 weight-row x 4 (AVX-512; else 2) activation-row
//    register tile.
//    A register-blocked GEMM with k-blocking is future work.
//  Every (weight row, activation row) dot product uses one vector accumulator
//  walked over the columns in the same order, the same zero-padded tail step
//  and the same lane reduction, whatever tile it sits in. So results are bit-identical
//  across OpenMP thread counts and across n (row i of MatMul(x, n) equals
//  MatMul(x_i, 1)) on a given target.
//
// Tails (lengths not a multiple of the vector width) go through a zero-padded
// stack vector (MatMul, element-wise maps: every element sees the same vector
// code) or a short scalar loop (Dot, norm sums, RoPE, conversion).

// --- Once-only part: includes and helpers free of Highway types. -----------
#ifndef ECGR1_KERNELS_OPS_CC_ONCE_
#define ECGR1_KERNELS_OPS_CC_ONCE_

#include "kernels/ops.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

#include "base/bf16.h"
#include "kernels/cpu_features.h"
#include "kernels/matmul_bf16.h"
#include "kernels/matmul_tiled.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {
namespace kernels {
namespace {

// Per-thread f32 scratch for the prefill weight block; grows, never shrinks,
// so steady-state MatMul calls do not allocate.
float* ThreadScratchF32(size_t n) {
  static thread_local std::vector<float> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

}  // namespace
}  // namespace kernels
}  // namespace ecgr1

#endif  // ECGR1_KERNELS_OPS_CC_ONCE_

// --- Per-target part. --------------------------------------------------------
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/ops.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

HWY_BEFORE_NAMESPACE();
namespace ecgr1 {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

// Largest vector of floats on this target, for zero-padded tails.
constexpr size_t kMaxLanesF = HWY_MAX_BYTES / sizeof(float);

// ---------------------------------------------------------------------------
// Weight element types: a vector load widened to f32 and a scalar twin.

struct F32W {
  using T = float;
  static HWY_INLINE VF Load(DF df, const T* HWY_RESTRICT p) { return hn::LoadU(df, p); }
  static HWY_INLINE float Scalar(T v) { return v; }
};

struct BF16W {
  using T = uint16_t;
  // bf16 is the high half of an f32: widen u16 -> u32, shift left 16.
  static HWY_INLINE VF Load(DF df, const T* HWY_RESTRICT p) {
    const hn::RebindToUnsigned<DF> du32;
    const hn::Rebind<uint16_t, DF> du16;
    return hn::BitCast(df, hn::ShiftLeft<16>(hn::PromoteTo(du32, hn::LoadU(du16, p))));
  }
  static HWY_INLINE float Scalar(T v) { return Bf16ToF32(v); }
};

struct F16W {
  using T = uint16_t;
  // F16C (vcvtph2ps) on AVX2 and up; Highway emulates it on older targets.
  static HWY_INLINE VF Load(DF df, const T* HWY_RESTRICT p) {
    const hn::Rebind<hwy::float16_t, DF> df16;
    return hn::PromoteTo(df, hn::LoadU(df16, reinterpret_cast<const hwy::float16_t*>(p)));
  }
  static HWY_INLINE float Scalar(T v) { return F16ToF32(v); }
};

HWY_INLINE float ReduceSum(DF df, VF v) { return hn::GetLane(hn::SumOfLanes(df, v)); }

// Double-precision accumulation where the scalar oracle accumulates in double:
// DD is a full vector of doubles (half as many lanes as DF; one on HWY_SCALAR).
#if HWY_TARGET == HWY_SCALAR
using DD = hn::Rebind<double, DF>;
#else
using DD = hn::Repartition<double, DF>;
#endif
using VD = hn::Vec<DD>;

// acc += widened lanes of a (times widened lanes of b).
HWY_INLINE VD AccumulateF64(VF a, VD acc) {
  const DD dd;
#if HWY_TARGET == HWY_SCALAR
  return hn::Add(acc, hn::PromoteTo(dd, a));
#else
  const hn::Half<DF> dh;
  acc = hn::Add(acc, hn::PromoteTo(dd, hn::LowerHalf(dh, a)));
  return hn::Add(acc, hn::PromoteTo(dd, hn::UpperHalf(dh, a)));
#endif
}
HWY_INLINE VD AccumulateSquaresF64(VF a, VD acc) {
  const DD dd;
#if HWY_TARGET == HWY_SCALAR
  const VD w = hn::PromoteTo(dd, a);
  return hn::MulAdd(w, w, acc);
#else
  const hn::Half<DF> dh;
  const VD lo = hn::PromoteTo(dd, hn::LowerHalf(dh, a));
  const VD hi = hn::PromoteTo(dd, hn::UpperHalf(dh, a));
  return hn::MulAdd(hi, hi, hn::MulAdd(lo, lo, acc));
#endif
}
HWY_INLINE double ReduceSumF64(VD v) { return hn::GetLane(hn::SumOfLanes(DD(), v)); }

// ---------------------------------------------------------------------------
// MatMul core: a kR x kN register tile of dot products.
//   y[i * y_stride + r] = sum_c w[r * w_stride + c] * x[i * x_stride + c]
// for r < kR, i < kN. One accumulator per (r, i); see the file header for why
// the order of operations must not depend on kR or kN.

template <class W, size_t kR, size_t kN>
HWY_INLINE void DotTile(const typename W::T* HWY_RESTRICT w, size_t w_stride,
                        const float* HWY_RESTRICT x, size_t x_stride, size_t cols,
                        float* HWY_RESTRICT y, size_t y_stride, const float* bias) {
  const DF df;
  const size_t N = hn::Lanes(df);
  VF acc[kR][kN];
  for (size_t r = 0; r < kR; ++r)
    for (size_t i = 0; i < kN; ++i) acc[r][i] = hn::Zero(df);

  size_t c = 0;
  for (; c + N <= cols; c += N) {
    VF xv[kN];
    for (size_t i = 0; i < kN; ++i) xv[i] = hn::LoadU(df, x + i * x_stride + c);
    for (size_t r = 0; r < kR; ++r) {
      const VF wv = W::Load(df, w + r * w_stride + c);
      for (size_t i = 0; i < kN; ++i) acc[r][i] = hn::MulAdd(wv, xv[i], acc[r][i]);
    }
  }
  // Tail: one more vector step on zero-padded copies. (A scalar tail would let
  // the compiler contract or vectorise it differently per call site, breaking
  // the bit-identity promised above.)
  if (c < cols) {
    const size_t rem = cols - c;
    HWY_ALIGN float xt[kN][kMaxLanesF] = {};
    HWY_ALIGN float wt[kMaxLanesF] = {};
    for (size_t i = 0; i < kN; ++i) std::memcpy(xt[i], x + i * x_stride + c, rem * sizeof(float));
    for (size_t r = 0; r < kR; ++r) {
      for (size_t k = 0; k < rem; ++k) wt[k] = W::Scalar(w[r * w_stride + c + k]);
      const VF wv = hn::Load(df, wt);
      for (size_t i = 0; i < kN; ++i) acc[r][i] = hn::MulAdd(wv, hn::Load(df, xt[i]), acc[r][i]);
    }
  }
  for (size_t r = 0; r < kR; ++r) {
    for (size_t i = 0; i < kN; ++i) {
      const float s = ReduceSum(df, acc[r][i]);
      y[i * y_stride + r] = bias ? s + bias[r] : s;
    }
  }
}

// Activation rows per register tile: 4 where there are 32 vector registers
// (4 x 4 accumulators + 4 x + 1 w), else 2 (16 registers).
#if HWY_TARGET <= HWY_AVX3
constexpr size_t kTileN = 4;
#else
constexpr size_t kTileN = 2;
#endif

// Rows [r0, r1) of y = x w^T for activation rows [i0, i0 + kN): 4-row tiles,
// then single rows. `w` points at row r0.
template <class W, size_t kN>
HWY_INLINE void RowsForTile(const typename W::T* HWY_RESTRICT w, size_t w_stride, size_t r0,
                            size_t r1, const float* HWY_RESTRICT x, size_t cols,
                            float* HWY_RESTRICT y, size_t y_stride, const float* bias) {
  size_t r = r0;
  for (; r + 4 <= r1; r += 4)
    DotTile<W, 4, kN>(w + (r - r0) * w_stride, w_stride, x, cols, cols, y + r, y_stride,
                      bias ? bias + r : nullptr);
  for (; r < r1; ++r)
    DotTile<W, 1, kN>(w + (r - r0) * w_stride, w_stride, x, cols, cols, y + r, y_stride,
                      bias ? bias + r : nullptr);
}

// Rows [r0, r1) of y = x w^T for all n activation rows, reading weights of type W
// from `w` (pointing at row r0, rows of `w_stride` elements). The activation
// tile is the outer loop so its rows stay in L1/L2 while the weight rows pass.
template <class W>
HWY_INLINE void MatMulRows(const typename W::T* HWY_RESTRICT w, size_t w_stride, size_t r0,
                           size_t r1, const float* HWY_RESTRICT x, size_t n, size_t cols,
                           float* HWY_RESTRICT y, size_t y_stride, const float* bias) {
  size_t i = 0;
  for (; i + kTileN <= n; i += kTileN)
    RowsForTile<W, kTileN>(w, w_stride, r0, r1, x + i * cols, cols, y + i * y_stride, y_stride, bias);
  for (; i < n; ++i)
    RowsForTile<W, 1>(w, w_stride, r0, r1, x + i * cols, cols, y + i * y_stride, y_stride, bias);
}

// Converts `count` elements of type W to f32 (vector body, scalar tail).
template <class W>
HWY_INLINE void ConvertToF32(const typename W::T* HWY_RESTRICT src, size_t count,
                             float* HWY_RESTRICT dst) {
  const DF df;
  const size_t N = hn::Lanes(df);
  size_t i = 0;
  for (; i + N <= count; i += N) hn::StoreU(W::Load(df, src + i), df, dst + i);
  for (; i < count; ++i) dst[i] = W::Scalar(src[i]);
}

// Target size of the f32 weight block converted once per prefill block; well
// inside Zen 4's 1 MiB L2, leaving room for the activation rows streaming by.
constexpr size_t kPrefillBlockBytes = size_t{256} << 10;

template <class W>
HWY_NOINLINE void MatMulT(const WeightMatrix& wm, const float* HWY_RESTRICT x, size_t n,
                          float* HWY_RESTRICT y, const float* bias) {
  using T = typename W::T;
  const T* w = static_cast<const T*>(wm.data);
  const size_t rows = wm.rows, cols = wm.cols;
  if (rows == 0 || n == 0) return;
  const bool parallel = rows >= 8 && rows * cols * n >= kMinParallelMacs;

  if (n == 1) {
    // Decode: weights streamed in place, once. Blocks of 16 rows; the static
    // schedule hands each thread one contiguous range of rows.
    constexpr size_t kBlock = 16;
    const long blocks = static_cast<long>((rows + kBlock - 1) / kBlock);
#pragma omp parallel for schedule(static) if (parallel)
    for (long b = 0; b < blocks; ++b) {
      const size_t r0 = static_cast<size_t>(b) * kBlock;
      const size_t r1 = std::min(rows, r0 + kBlock);
      MatMulRows<W>(w + r0 * cols, cols, r0, r1, x, n, cols, y, rows, bias);
    }
    return;
  }

  // Prefill: blocks of rows whose f32 form fits kPrefillBlockBytes; a 16-bit
  // block is converted once into thread-local scratch, an f32 block is used in
  // place, and either serves all n activation rows.
  size_t block = kPrefillBlockBytes / (cols * sizeof(float));
  block = std::max<size_t>(4, block / 4 * 4);
  const long blocks = static_cast<long>((rows + block - 1) / block);
#pragma omp parallel for schedule(static) if (parallel)
  for (long b = 0; b < blocks; ++b) {
    const size_t r0 = static_cast<size_t>(b) * block;
    const size_t r1 = std::min(rows, r0 + block);
    if (std::is_same<W, F32W>::value) {
      MatMulRows<W>(w + r0 * cols, cols, r0, r1, x, n, cols, y, rows, bias);
    } else {
      float* wf = ThreadScratchF32(block * cols);
      ConvertToF32<W>(w + r0 * cols, (r1 - r0) * cols, wf);
      MatMulRows<F32W>(wf, cols, r0, r1, x, n, cols, y, rows, bias);
    }
  }
}

void MatMulImpl(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias) {
  switch (w.type) {
    case DType::kF32: return MatMulT<F32W>(w, x, n, y, bias);
    case DType::kBF16: return MatMulT<BF16W>(w, x, n, y, bias);
    case DType::kF16: return MatMulT<F16W>(w, x, n, y, bias);
    default: return;  // unreachable: the entry points below refuse other types
  }
}

void RowToF32Impl(const WeightMatrix& w, size_t r, float* out) {
  const uint8_t* row = static_cast<const uint8_t*>(w.data) + r * w.row_bytes();
  switch (w.type) {
    case DType::kF32: return ConvertToF32<F32W>(reinterpret_cast<const float*>(row), w.cols, out);
    case DType::kBF16: return ConvertToF32<BF16W>(reinterpret_cast<const uint16_t*>(row), w.cols, out);
    case DType::kF16: return ConvertToF32<F16W>(reinterpret_cast<const uint16_t*>(row), w.cols, out);
    default: return;  // unreachable: the entry points below refuse other types
  }
}

// ---------------------------------------------------------------------------
// Element-wise helpers: f(vector) over x[0, n), tail through a padded vector.

template <class F>
HWY_INLINE void MapInPlace(float* HWY_RESTRICT x, size_t n, const F& f) {
  const DF df;
  const size_t N = hn::Lanes(df);
  size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(f(hn::LoadU(df, x + i)), df, x + i);
  if (i < n) {
    HWY_ALIGN float buf[kMaxLanesF] = {};
    std::memcpy(buf, x + i, (n - i) * sizeof(float));
    hn::Store(f(hn::Load(df, buf)), df, buf);
    std::memcpy(x + i, buf, (n - i) * sizeof(float));
  }
}

// x[i] = f(x[i], y[i]) with y read-only.
template <class F>
HWY_INLINE void Map2InPlace(float* HWY_RESTRICT x, const float* HWY_RESTRICT y, size_t n, const F& f) {
  const DF df;
  const size_t N = hn::Lanes(df);
  size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(f(hn::LoadU(df, x + i), hn::LoadU(df, y + i)), df, x + i);
  if (i < n) {
    HWY_ALIGN float bx[kMaxLanesF] = {};
    HWY_ALIGN float by[kMaxLanesF] = {};
    std::memcpy(bx, x + i, (n - i) * sizeof(float));
    std::memcpy(by, y + i, (n - i) * sizeof(float));
    hn::Store(f(hn::Load(df, bx), hn::Load(df, by)), df, bx);
    std::memcpy(x + i, bx, (n - i) * sizeof(float));
  }
}

// sum_i a[i] * b[i] with b of element type W (f32, or bf16 rows of the KV
// cache widened in registers): four accumulators, scalar tail.
template <class W>
HWY_INLINE float DotT(const float* HWY_RESTRICT a, const typename W::T* HWY_RESTRICT b, size_t n) {
  const DF df;
  const size_t N = hn::Lanes(df);
  VF s0 = hn::Zero(df), s1 = hn::Zero(df), s2 = hn::Zero(df), s3 = hn::Zero(df);
  size_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    s0 = hn::MulAdd(hn::LoadU(df, a + i), W::Load(df, b + i), s0);
    s1 = hn::MulAdd(hn::LoadU(df, a + i + N), W::Load(df, b + i + N), s1);
    s2 = hn::MulAdd(hn::LoadU(df, a + i + 2 * N), W::Load(df, b + i + 2 * N), s2);
    s3 = hn::MulAdd(hn::LoadU(df, a + i + 3 * N), W::Load(df, b + i + 3 * N), s3);
  }
  for (; i + N <= n; i += N) s0 = hn::MulAdd(hn::LoadU(df, a + i), W::Load(df, b + i), s0);
  float s = ReduceSum(df, hn::Add(hn::Add(s0, s1), hn::Add(s2, s3)));
  for (; i < n; ++i) s += a[i] * W::Scalar(b[i]);
  return s;
}

// y[i] += a * x[i] with x of element type W; the tail is one more vector step
// on zero-padded copies, so every element sees the same vector code.
template <class W>
HWY_INLINE void AxpyT(float a, const typename W::T* HWY_RESTRICT x, float* HWY_RESTRICT y, size_t n) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const VF va = hn::Set(df, a);
  size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(hn::MulAdd(va, W::Load(df, x + i), hn::LoadU(df, y + i)), df, y + i);
  if (i < n) {
    HWY_ALIGN typename W::T bx[kMaxLanesF] = {};
    HWY_ALIGN float by[kMaxLanesF] = {};
    std::memcpy(bx, x + i, (n - i) * sizeof(typename W::T));
    std::memcpy(by, y + i, (n - i) * sizeof(float));
    hn::Store(hn::MulAdd(va, W::Load(df, bx), hn::Load(df, by)), df, by);
    std::memcpy(y + i, by, (n - i) * sizeof(float));
  }
}

float DotImpl(const float* a, const float* b, size_t n) { return DotT<F32W>(a, b, n); }
float DotBf16Impl(const float* a, const uint16_t* b, size_t n) { return DotT<BF16W>(a, b, n); }
void AxpyImpl(float a, const float* x, float* y, size_t n) { AxpyT<F32W>(a, x, y, n); }
void AxpyBf16Impl(float a, const uint16_t* x, float* y, size_t n) { AxpyT<BF16W>(a, x, y, n); }

void AddImpl(const float* x, float* y, size_t n) {
  Map2InPlace(y, x, n, [](VF yv, VF xv) HWY_ATTR { return hn::Add(yv, xv); });
}

void ScaleImpl(float a, float* y, size_t n) {
  const DF df;
  const VF va = hn::Set(df, a);
  MapInPlace(y, n, [va](VF v) HWY_ATTR { return hn::Mul(v, va); });
}

// sum_i x[i]^2 (or (x[i]-mean)^2) accumulated in double like the oracle.
double SumSquaresF64(const float* HWY_RESTRICT x, size_t n, float mean) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const VF vm = hn::Set(df, mean);
  VD acc = hn::Zero(DD());
  size_t i = 0;
  for (; i + N <= n; i += N) acc = AccumulateSquaresF64(hn::Sub(hn::LoadU(df, x + i), vm), acc);
  double s = ReduceSumF64(acc);
  for (; i < n; ++i) {
    const double d = static_cast<double>(x[i] - mean);
    s += d * d;
  }
  return s;
}

double SumF64(const float* HWY_RESTRICT x, size_t n) {
  const DF df;
  const size_t N = hn::Lanes(df);
  VD acc = hn::Zero(DD());
  size_t i = 0;
  for (; i + N <= n; i += N) acc = AccumulateF64(hn::LoadU(df, x + i), acc);
  double s = ReduceSumF64(acc);
  for (; i < n; ++i) s += x[i];
  return s;
}

void RmsNormImpl(const float* x, const float* gamma, size_t n, float eps, float* out) {
  const double ss = SumSquaresF64(x, n, 0.0f);
  const float inv = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
  const DF df;
  const size_t N = hn::Lanes(df);
  const VF vinv = hn::Set(df, inv);
  size_t i = 0;
  for (; i + N <= n; i += N)
    hn::StoreU(hn::Mul(hn::Mul(hn::LoadU(df, x + i), vinv), hn::LoadU(df, gamma + i)), df, out + i);
  for (; i < n; ++i) out[i] = x[i] * inv * gamma[i];
}

void LayerNormImpl(const float* x, const float* gamma, const float* beta, size_t n, float eps,
                   float* out) {
  const double mean = SumF64(x, n) / static_cast<double>(n);
  const float mean_f = static_cast<float>(mean);
  const double var = SumSquaresF64(x, n, mean_f) / static_cast<double>(n);
  const float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
  const DF df;
  const size_t N = hn::Lanes(df);
  const VF vm = hn::Set(df, mean_f), vinv = hn::Set(df, inv);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const VF v = hn::Mul(hn::Sub(hn::LoadU(df, x + i), vm), vinv);
    hn::StoreU(hn::MulAdd(v, hn::LoadU(df, gamma + i), hn::LoadU(df, beta + i)), df, out + i);
  }
  for (; i < n; ++i) out[i] = (x[i] - mean_f) * inv * gamma[i] + beta[i];
}

void SoftmaxImpl(float* x, size_t n) {
  if (n == 0) return;
  const DF df;
  const size_t N = hn::Lanes(df);
  // Max: vector lanes, then the scalar tail.
  float m = x[0];
  size_t i = 0;
  if (n >= N) {
    VF vmax = hn::LoadU(df, x);
    for (i = N; i + N <= n; i += N) vmax = hn::Max(vmax, hn::LoadU(df, x + i));
    m = hn::GetLane(hn::MaxOfLanes(df, vmax));
  }
  for (; i < n; ++i) m = std::max(m, x[i]);
  // exp(x - m) in place; the sum in double like the oracle.
  const VF vm = hn::Set(df, m);
  VD acc = hn::Zero(DD());
  for (i = 0; i + N <= n; i += N) {
    const VF e = hn::Exp(df, hn::Sub(hn::LoadU(df, x + i), vm));
    hn::StoreU(e, df, x + i);
    acc = AccumulateF64(e, acc);
  }
  double sum = ReduceSumF64(acc);
  if (i < n) {
    const size_t rem = n - i;
    HWY_ALIGN float buf[kMaxLanesF] = {};
    std::memcpy(buf, x + i, rem * sizeof(float));
    hn::Store(hn::Exp(df, hn::Sub(hn::Load(df, buf), vm)), df, buf);
    for (size_t k = 0; k < rem; ++k) sum += buf[k];
    std::memcpy(x + i, buf, rem * sizeof(float));
  }
  const float inv = static_cast<float>(1.0 / sum);
  ScaleImpl(inv, x, n);
}

void SiluMulImpl(float* gate, const float* up, size_t n) {
  const DF df;
  const VF one = hn::Set(df, 1.0f);
  // hn::Exp is only valid up to ~88.7; clamping -g at 88 keeps g / (1 + e^-g)
  // at ~1e-36 * g for very negative g (the oracle: g / inf = -0).
  const VF kMaxArg = hn::Set(df, 88.0f);
  Map2InPlace(gate, up, n, [df, one, kMaxArg](VF g, VF u) HWY_ATTR {
    const VF e = hn::Exp(df, hn::Min(hn::Neg(g), kMaxArg));
    return hn::Mul(hn::Div(g, hn::Add(one, e)), u);
  });
}

// Phi-style pieces for GeluErf. erf(a) and erfc(a) = 1 - erf(a) for a >= 0 are
// our own Chebyshev fits (mpmath.chebyfit, max fit error ~3e-11 resp. ~5e-9
// relative; float evaluation dominates, ~1e-7):
//   a < 1:  erf(a)  = a * P(a^2)                        (degree 7 in a^2)
//   a >= 1: erfc(a) = exp(-a^2) / a * R(u), u = 2/a - 1  (degree 13; t = 1/a in
//           (0, 1] mapped to u in (-1, 1], R(-1) = 1/sqrt(pi))
// Working with erfc on the large side keeps gelu(x) accurate for negative x,
// where 1 + erf(x / sqrt 2) would cancel.
template <class V>
HWY_INLINE V ErfSmall(DF df, V a) {
  const V s = hn::Mul(a, a);
  V p = hn::Set(df, -9.6670445715e-06f);
  p = hn::MulAdd(p, s, hn::Set(df, 1.1265959026e-04f));
  p = hn::MulAdd(p, s, hn::Set(df, -8.4840804055e-04f));
  p = hn::MulAdd(p, s, hn::Set(df, 5.2210318079e-03f));
  p = hn::MulAdd(p, s, hn::Set(df, -2.6865430728e-02f));
  p = hn::MulAdd(p, s, hn::Set(df, 1.1283782495e-01f));
  p = hn::MulAdd(p, s, hn::Set(df, -3.7612638468e-01f));
  p = hn::MulAdd(p, s, hn::Set(df, 1.1283791671e+00f));
  return hn::Mul(a, p);
}

template <class V>
HWY_INLINE V ErfcLarge(DF df, V a) {
  const V t = hn::Div(hn::Set(df, 1.0f), hn::Max(a, hn::Set(df, 1.0f)));
  const V u = hn::MulAdd(t, hn::Set(df, 2.0f), hn::Set(df, -1.0f));
  V r = hn::Set(df, -8.9540078765e-06f);
  r = hn::MulAdd(r, u, hn::Set(df, -2.8212698456e-05f));
  r = hn::MulAdd(r, u, hn::Set(df, 1.2725385734e-04f));
  r = hn::MulAdd(r, u, hn::Set(df, -7.0708590035e-05f));
  r = hn::MulAdd(r, u, hn::Set(df, -2.1395521058e-04f));
  r = hn::MulAdd(r, u, hn::Set(df, 5.3312352330e-04f));
  r = hn::MulAdd(r, u, hn::Set(df, -7.9726266746e-04f));
  r = hn::MulAdd(r, u, hn::Set(df, 6.1296978178e-04f));
  r = hn::MulAdd(r, u, hn::Set(df, 1.3248920277e-03f));
  r = hn::MulAdd(r, u, hn::Set(df, -6.7933916951e-03f));
  r = hn::MulAdd(r, u, hn::Set(df, 1.4870531556e-02f));
  r = hn::MulAdd(r, u, hn::Set(df, -9.1585587127e-03f));
  r = hn::MulAdd(r, u, hn::Set(df, -8.3605507253e-02f));
  r = hn::MulAdd(r, u, hn::Set(df, 5.1079135505e-01f));
  const V e = hn::Exp(df, hn::Neg(hn::Mul(a, a)));  // underflows to 0 far out
  return hn::Mul(hn::Mul(e, t), r);
}

void GeluErfImpl(float* x, size_t n) {
  const DF df;
  MapInPlace(x, n, [df](VF v) HWY_ATTR {
    const VF one = hn::Set(df, 1.0f);
    const VF a = hn::Abs(hn::Mul(v, hn::Set(df, 0.70710678118654752f)));
    const auto small = hn::Lt(a, one);
    const VF e = ErfSmall(df, hn::Min(a, one));  // erf(a), a < 1
    const VF c = ErfcLarge(df, a);               // erfc(a), a >= 1
    // 1 - erf(a) and 1 + erf(a), each from the better-conditioned piece.
    const VF lower = hn::IfThenElse(small, hn::Sub(one, e), c);
    const VF upper = hn::IfThenElse(small, hn::Add(one, e), hn::Sub(hn::Set(df, 2.0f), c));
    const VF phi2 = hn::IfThenElse(hn::Lt(v, hn::Zero(df)), lower, upper);  // 2 * Phi(v)
    return hn::Mul(hn::Mul(hn::Set(df, 0.5f), v), phi2);
  });
}

void GeluTanhImpl(float* x, size_t n) {
  const DF df;
  MapInPlace(x, n, [df](VF v) HWY_ATTR {
    const VF k = hn::Set(df, 0.79788456080286536f);  // sqrt(2/pi)
    const VF v3 = hn::Mul(hn::Mul(v, v), v);
    const VF inner = hn::Mul(k, hn::MulAdd(hn::Set(df, 0.044715f), v3, v));
    const VF th = hn::Tanh(df, inner);
    return hn::Mul(hn::Mul(hn::Set(df, 0.5f), v), hn::Add(hn::Set(df, 1.0f), th));
  });
}

void RopeRotateHalfImpl(float* x, const float* cos_, const float* sin_, size_t dim) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const size_t half = dim / 2;
  float* x0 = x;
  float* x1 = x + half;
  size_t j = 0;
  for (; j + N <= half; j += N) {
    const VF a = hn::LoadU(df, x0 + j), b = hn::LoadU(df, x1 + j);
    const VF c = hn::LoadU(df, cos_ + j), s = hn::LoadU(df, sin_ + j);
    hn::StoreU(hn::NegMulAdd(b, s, hn::Mul(a, c)), df, x0 + j);
    hn::StoreU(hn::MulAdd(a, s, hn::Mul(b, c)), df, x1 + j);
  }
  for (; j < half; ++j) {
    const float a = x0[j], b = x1[j];
    x0[j] = a * cos_[j] - b * sin_[j];
    x1[j] = b * cos_[j] + a * sin_[j];
  }
}

int64_t CurrentTargetImpl() { return HWY_TARGET; }

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ecgr1
HWY_AFTER_NAMESPACE();

// --- Dispatch: one table per kernel, one indirect call per kernel call. ------
#if HWY_ONCE
namespace ecgr1 {
namespace kernels {

HWY_EXPORT(MatMulImpl);
HWY_EXPORT(RowToF32Impl);
HWY_EXPORT(DotImpl);
HWY_EXPORT(AxpyImpl);
HWY_EXPORT(DotBf16Impl);
HWY_EXPORT(AxpyBf16Impl);
HWY_EXPORT(AddImpl);
HWY_EXPORT(ScaleImpl);
HWY_EXPORT(RmsNormImpl);
HWY_EXPORT(LayerNormImpl);
HWY_EXPORT(SoftmaxImpl);
HWY_EXPORT(SiluMulImpl);
HWY_EXPORT(GeluErfImpl);
HWY_EXPORT(GeluTanhImpl);
HWY_EXPORT(RopeRotateHalfImpl);
HWY_EXPORT(CurrentTargetImpl);

void MatMul(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias) {
  CheckMatrixType(w);
  if (quant::IsTiled(w.type)) return MatMulTiled(w, x, n, y, bias);
#if defined(__x86_64__)
  if (w.type == DType::kBF16 && w.bf16_activations && UseAvx512Bf16())
    return MatMulBf16Avx512(w, x, n, y, bias, w.rows >= 8 && w.rows * w.cols * n >= kMinParallelMacs);
#endif
  HWY_DYNAMIC_DISPATCH(MatMulImpl)(w, x, n, y, bias);
}
void RowToF32(const WeightMatrix& w, size_t r, float* out) {
  CheckMatrixType(w);
  if (quant::IsTiled(w.type)) return quant::DequantizeRow(w.type, static_cast<const uint8_t*>(w.data), w.cols, r, out);
  HWY_DYNAMIC_DISPATCH(RowToF32Impl)(w, r, out);
}
float Dot(const float* a, const float* b, size_t n) { return HWY_DYNAMIC_DISPATCH(DotImpl)(a, b, n); }
void Axpy(float a, const float* x, float* y, size_t n) { HWY_DYNAMIC_DISPATCH(AxpyImpl)(a, x, y, n); }
float DotBf16(const float* a, const uint16_t* b, size_t n) { return HWY_DYNAMIC_DISPATCH(DotBf16Impl)(a, b, n); }
void AxpyBf16(float a, const uint16_t* x, float* y, size_t n) { HWY_DYNAMIC_DISPATCH(AxpyBf16Impl)(a, x, y, n); }
void Add(const float* x, float* y, size_t n) { HWY_DYNAMIC_DISPATCH(AddImpl)(x, y, n); }
void Scale(float a, float* y, size_t n) { HWY_DYNAMIC_DISPATCH(ScaleImpl)(a, y, n); }
void RmsNorm(const float* x, const float* g, size_t n, float eps, float* out) {
  HWY_DYNAMIC_DISPATCH(RmsNormImpl)(x, g, n, eps, out);
}
void LayerNorm(const float* x, const float* g, const float* b, size_t n, float eps, float* out) {
  HWY_DYNAMIC_DISPATCH(LayerNormImpl)(x, g, b, n, eps, out);
}
void Softmax(float* x, size_t n) { HWY_DYNAMIC_DISPATCH(SoftmaxImpl)(x, n); }
void SiluMul(float* gate, const float* up, size_t n) { HWY_DYNAMIC_DISPATCH(SiluMulImpl)(gate, up, n); }
void GeluErf(float* x, size_t n) { HWY_DYNAMIC_DISPATCH(GeluErfImpl)(x, n); }
void GeluTanh(float* x, size_t n) { HWY_DYNAMIC_DISPATCH(GeluTanhImpl)(x, n); }
void RopeRotateHalf(float* x, const float* c, const float* s, size_t dim) {
  HWY_DYNAMIC_DISPATCH(RopeRotateHalfImpl)(x, c, s, dim);
}

const char* TargetName() { return hwy::TargetName(HWY_DYNAMIC_DISPATCH(CurrentTargetImpl)()); }

}  // namespace kernels
}  // namespace ecgr1
#endif  // HWY_ONCE
