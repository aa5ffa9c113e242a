// matmul_tiled.h — matrix products with q8 / q4 weights (quant/tiled_quant.h).
//
// Internal to the kernel layer: kernels::MatMul (ops.h) sends q8 / q4 weights
// to MatMulTiled, which quantizes the activations to int8 blocks once per
// call and takes the best path the CPU and the cap allow (cpu_features.h):
//   avx512-vnni  16 rows per zmm, vpdpbusd          matmul_tiled_vnni.cc
//   avx-vnni     8 rows per ymm, vpdpbusd           matmul_tiled_avxvnni.cc
//   avx2         8 rows per ymm, vpmaddubsw         matmul_tiled_avx2.cc
//   neon-dotprod 4 rows per register, sdot          matmul_tiled_neon_dotprod.cc
//   neon         4 rows per register, smull/sadalp  matmul_tiled_neon.cc
//   highway      the portable twin, every target    matmul_tiled.cc
// All of them read the one tile layout in place (a 64-byte quad is 16 rows x
// 4 codes: one zmm, two ymm or four NEON registers) and produce exactly the
// numbers of ref::MatMul: integer block dot products, then the float steps
// in the order fixed in tiled_quant.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/ops.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {
namespace kernels {

// y[n, w.rows] = x[n, w.cols] * w^T (+ bias) for a q8 / q4 matrix.
void MatMulTiled(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias);

// -zero_point * a.sum for every block of a ([a.n, a.cols / 32]), in storage
// reused per thread: the zero point's share of each block's code dot product.
const int32_t* ZeroPointShares(DType type, const quant::ActivationBlocks& a);

// The paths. Each quantizer is ActivationBlocks::Quantize, bit for bit
// (threaded for prefill-sized inputs); each product takes already quantized
// activations, and `parallel` allows OpenMP. Call only when the matching
// Use*() of cpu_features.h is true (they are not built for other CPUs).
void QuantizeActivationsAvx512(const float* x, size_t n, size_t cols, quant::ActivationBlocks* a);
void MatMulTiledAvx512Vnni(const WeightMatrix& w, const quant::ActivationBlocks& a, float* y, const float* bias,
                           bool parallel);
void QuantizeActivationsAvx2(const float* x, size_t n, size_t cols, quant::ActivationBlocks* a);
void MatMulTiledAvx2(const WeightMatrix& w, const quant::ActivationBlocks& a, float* y, const float* bias,
                     bool parallel);
void MatMulTiledAvxVnni(const WeightMatrix& w, const quant::ActivationBlocks& a, float* y, const float* bias,
                        bool parallel);
void QuantizeActivationsNeon(const float* x, size_t n, size_t cols, quant::ActivationBlocks* a);
void MatMulTiledNeon(const WeightMatrix& w, const quant::ActivationBlocks& a, float* y, const float* bias,
                     bool parallel);
void MatMulTiledNeonDotprod(const WeightMatrix& w, const quant::ActivationBlocks& a, float* y, const float* bias,
                            bool parallel);

// The activation codes of `a` block-major, [block][row][32], in storage
// reused per calling thread (prefill kernels stream many rows past one tile).
// Here, not in the per-instruction-set files, so that no std::vector code is
// compiled with their flags (tests/isa_symbols_test.sh).
const int8_t* BlockMajorCodes(const quant::ActivationBlocks& a, bool parallel);

// One product as the paths' micro-kernels read it. Row group g (16 rows)
// of block b is the tile at w + g * group_bytes + b * tile_bytes.
struct TiledProduct {
  DType type;  // q8 or q4
  const uint8_t* w;
  size_t tile_bytes, group_bytes, rows, groups, nb;
  const quant::ActivationBlocks* a;
  float* y;  // [a->n, rows]
  const float* bias;
  const int32_t* corr;  // ZeroPointShares(), for the paths that start block sums at it
  TiledProduct(const WeightMatrix& w, const quant::ActivationBlocks& a, float* y, const float* bias);
};

// Splits `blocks` activation blocks over the OpenMP threads when there are
// enough of them (prefill) and calls quantize(first, last) for each range.
template <class F>
void ForBlockRanges(size_t blocks, const F& quantize);

// Calls run(g0, g1) for row groups [g0, g1) in work items of `per_item`
// groups, handed out in chunks on demand: a vCPU slowed by its neighbours on
// a shared host does not hold up the other threads at the join.
template <class F>
void ForRowGroups(size_t groups, size_t per_item, bool parallel, const F& run);

}  // namespace kernels
}  // namespace ecgr1

// --- Template definition. -------------------------------------------------------
#include <omp.h>

namespace ecgr1 {
namespace kernels {

template <class F>
void ForBlockRanges(size_t blocks, const F& quantize) {
  if (blocks < 4096) return quantize(size_t{0}, blocks);
  // Prefill: a few MB of activations, split over the threads.
#pragma omp parallel
  {
    const size_t nt = static_cast<size_t>(omp_get_num_threads()), t = static_cast<size_t>(omp_get_thread_num());
    quantize(blocks * t / nt, blocks * (t + 1) / nt);
  }
}

template <class F>
void ForRowGroups(size_t groups, size_t per_item, bool parallel, const F& run) {
  const long items = static_cast<long>((groups + per_item - 1) / per_item);
#pragma omp parallel for schedule(dynamic, 8) if (parallel)
  for (long i = 0; i < items; ++i) {
    const size_t g0 = per_item * static_cast<size_t>(i);
    run(g0, g0 + per_item <= groups ? g0 + per_item : groups);
  }
}

}  // namespace kernels
}  // namespace ecgr1
