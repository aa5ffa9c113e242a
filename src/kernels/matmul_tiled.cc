// matmul_tiled.cc — the q8 / q4 matrix product: entry point, the choice of
// path (matmul_tiled.h), and the Highway path (every target, dispatched at
// run time).
//
// The Highway path unpacks one tile (16 rows x 32 codes) to int16 and takes
// each row's integer dot product with an activation block by widening
// multiply-add (vpmaddwd on x86), for every activation row, then applies the
// block scales in the order fixed in tiled_quant.h. It is the portable twin
// of the intrinsics paths, not a fast one: CPUs without AVX2 or NEON.

// --- Once-only part. ----------------------------------------------------------
#ifndef ECGR1_KERNELS_MATMUL_TILED_CC_ONCE_
#define ECGR1_KERNELS_MATMUL_TILED_CC_ONCE_

#include "kernels/matmul_tiled.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/cpu_features.h"

#endif  // ECGR1_KERNELS_MATMUL_TILED_CC_ONCE_

// --- Per-target part. ---------------------------------------------------------
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/matmul_tiled.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace ecgr1 {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// sum_k w[k] * x[k] over one 32-value block, exactly, in int32.
HWY_INLINE int32_t BlockDot(const int16_t* HWY_RESTRICT w, const int8_t* HWY_RESTRICT x) {
  const hn::ScalableTag<int16_t> d16;
  const hn::Repartition<int32_t, decltype(d16)> d32;
  const hn::Rebind<int8_t, decltype(d16)> d8;
  const size_t N = hn::Lanes(d16);
  auto s0 = hn::Zero(d32), s1 = hn::Zero(d32);
  for (size_t k = 0; k < quant::kBlock; k += N)
    s0 = hn::ReorderWidenMulAccumulate(d32, hn::LoadU(d16, w + k), hn::PromoteTo(d16, hn::LoadU(d8, x + k)), s0, s1);
  return hn::GetLane(hn::SumOfLanes(d32, hn::Add(s0, s1)));
}

// Row groups [g0, g1) for every activation row. The threads are started
// outside, in MatMulTiled: an OpenMP region inside per-target code loses the
// target's instruction set in clang (its outlined function has no target
// attribute, and the backend fails on the wide vectors).
void MatMulTiledGroupsImpl(const TiledProduct& p, size_t g0, size_t g1) {
  using quant::kBlock;
  using quant::kTileRows;
  const size_t rows = p.rows, cols = p.cols, n = p.n, nb = p.nb;
  float* HWY_RESTRICT y = p.y;
  for (size_t g = g0; g < g1; ++g) {
    const size_t r0 = g * kTileRows;
    const size_t live = std::min(kTileRows, rows - r0);
    for (size_t t = 0; t < n; ++t) std::fill(y + t * rows + r0, y + t * rows + r0 + live, 0.0f);
    HWY_ALIGN int16_t codes[kTileRows * kBlock];
    for (size_t b = 0; b < nb; ++b) {
      float dw[kTileRows];
      quant::UnpackTile(p.type, p.w + g * p.group_bytes + b * p.tile_bytes, codes, dw);
      for (size_t t = 0; t < n; ++t) {
        const int8_t* xq = p.q + t * cols + b * kBlock;
        const int32_t corr = p.corr[t * nb + b];
        const float xs = p.scale[t * nb + b];
        float* yt = y + t * rows + r0;
        for (size_t r = 0; r < live; ++r) {
          const float dot = static_cast<float>(BlockDot(&codes[r * kBlock], xq) + corr);
          yt[r] = std::fma(dot, dw[r] * xs, yt[r]);
        }
      }
    }
    if (p.bias != nullptr)
      for (size_t t = 0; t < n; ++t)
        for (size_t r = 0; r < live; ++r) y[t * rows + r0 + r] += p.bias[r0 + r];
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace ecgr1
HWY_AFTER_NAMESPACE();

// --- Dispatch. ------------------------------------------------------------------
#if HWY_ONCE
namespace ecgr1 {
namespace kernels {

HWY_EXPORT(MatMulTiledGroupsImpl);

const int32_t* ZeroPointShares(DType type, const quant::ActivationBlocks& a) {
  static thread_local std::vector<int32_t> corr;  // grows, then reused
  const size_t count = a.n * a.blocks();
  if (corr.size() < count) corr.resize(count);
  const int32_t zp = quant::ZeroPoint(type);
  for (size_t i = 0; i < count; ++i) corr[i] = -zp * a.sum[i];
  return corr.data();
}

const int8_t* BlockMajorCodes(const int8_t* q, size_t n, size_t cols, bool parallel) {
  static thread_local std::vector<int8_t> codes;  // grows, then reused
  const size_t nb = cols / quant::kBlock;
  codes.resize(n * cols);
  int8_t* out = codes.data();  // the pointer, not the thread_local, crosses into the threads
  const long rows = static_cast<long>(n);
#pragma omp parallel for schedule(static) if (parallel && n * cols >= (size_t{1} << 20))
  for (long t = 0; t < rows; ++t)
    for (size_t b = 0; b < nb; ++b)
      std::memcpy(out + (b * n + static_cast<size_t>(t)) * quant::kBlock, q + static_cast<size_t>(t) * cols + b * quant::kBlock,
                  quant::kBlock);
  return out;
}

void QuantizeActivations(const float* x, size_t n, size_t cols, BlockQuantizer block, quant::ActivationBlocks* a) {
  a->Reserve(n, cols);
  const size_t blocks = n * cols / quant::kBlock;
  int8_t* q = a->q.data();
  float* scale = a->scale.data();
  int32_t* sum = a->sum.data();
  auto range = [&](size_t first, size_t last) {
    for (size_t i = first; i < last; ++i)
      if (!block(x + i * quant::kBlock, q + i * quant::kBlock, scale + i, sum + i)) a->QuantizeBlock(x + i * quant::kBlock, i);
  };
  if (blocks < 4096) return range(0, blocks);
  // Prefill: a few MB of activations, split over the threads.
#pragma omp parallel
  {
    const size_t nt = static_cast<size_t>(omp_get_num_threads()), t = static_cast<size_t>(omp_get_thread_num());
    range(blocks * t / nt, blocks * (t + 1) / nt);
  }
}

TiledProduct::TiledProduct(const WeightMatrix& m, const quant::ActivationBlocks& act, float* out, const float* b)
    : type(m.type),
      w(static_cast<const uint8_t*>(m.data)),
      tile_bytes(quant::TileBytes(m.type)),
      group_bytes(quant::RowGroupBytes(m.type, m.cols)),
      rows(m.rows),
      groups(quant::RowGroups(m.rows)),
      nb(m.cols / quant::kBlock),
      n(act.n),
      cols(act.cols),
      q(act.q.data()),
      scale(act.scale.data()),
      corr(ZeroPointShares(m.type, act)),
      y(out),
      bias(b) {}

void MatMulTiled(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias) {
  if (w.rows == 0 || n == 0) return;
  // Reused per thread: quantizing the activations of a token allocates nothing
  // once the buffers have grown to the largest row.
  static thread_local quant::ActivationBlocks act;
  const bool parallel = w.rows >= 32 && w.rows * w.cols * n >= kMinParallelMacs;
#if defined(__x86_64__)
  if (UseAvx512Vnni()) {
    QuantizeActivations(x, n, w.cols, QuantizeBlockAvx512, &act);
    return MatMulTiledAvx512Vnni(TiledProduct(w, act, y, bias), parallel);
  }
  if (UseAvxVnni() || UseAvx2()) {
    QuantizeActivations(x, n, w.cols, QuantizeBlockAvx2, &act);
    if (UseAvxVnni()) return MatMulTiledAvxVnni(TiledProduct(w, act, y, bias), parallel);
    return MatMulTiledAvx2(TiledProduct(w, act, y, bias), parallel);
  }
#elif defined(__aarch64__)
  if (UseNeon()) {
    QuantizeActivations(x, n, w.cols, QuantizeBlockNeon, &act);
    if (UseNeonDotprod()) return MatMulTiledNeonDotprod(TiledProduct(w, act, y, bias), parallel);
    return MatMulTiledNeon(TiledProduct(w, act, y, bias), parallel);
  }
#endif
  act.Quantize(x, n, w.cols);
  const TiledProduct p(w, act, y, bias);
  ForRowGroups(p.groups, 1, parallel,
               [&p](size_t g0, size_t g1) { HWY_DYNAMIC_DISPATCH(MatMulTiledGroupsImpl)(p, g0, g1); });
}

}  // namespace kernels
}  // namespace ecgr1
#endif  // HWY_ONCE
