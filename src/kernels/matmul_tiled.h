// matmul_tiled.h — matrix products with q8 / q4 weights (quant/tiled_quant.h).
//
// Internal to the kernel layer: kernels::MatMul (ops.h) sends q8 / q4 weights
// to MatMulTiled, which quantizes the activations to int8 blocks once per
// call and takes the best path the CPU and the cap allow (cpu_features.h):
//   avx512-vnni  16 rows per zmm, vpdpbusd          matmul_tiled_avx512.cc
//   avx-vnni     8 rows per ymm, vpdpbusd           matmul_tiled_avxvnni.cc  } both in
//   avx2         8 rows per ymm, vpmaddubsw         matmul_tiled_avx2.cc     } _ymm-inl.h
//   neon-dotprod 4 rows per register, sdot          matmul_tiled_neon_dotprod.cc } both in
//   neon         4 rows per register, smull/sadalp  matmul_tiled_neon.cc         } _neon-inl.h
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

// A vector quantizer of one block of 32 activations: writes the 32 codes,
// the scale and the code sum exactly as ActivationBlocks::QuantizeBlock
// would and returns true, or returns false for a block with a NaN or an
// infinity (the scalar code defines those).
using BlockQuantizer = bool (*)(const float* x, int8_t* q, float* scale, int32_t* sum);
bool QuantizeBlockAvx512(const float* x, int8_t* q, float* scale, int32_t* sum);
bool QuantizeBlockAvx2(const float* x, int8_t* q, float* scale, int32_t* sum);
bool QuantizeBlockNeon(const float* x, int8_t* q, float* scale, int32_t* sum);

// ActivationBlocks::Quantize through `block`, bit for bit; threaded for
// prefill-sized inputs.
void QuantizeActivations(const float* x, size_t n, size_t cols, BlockQuantizer block, quant::ActivationBlocks* a);

// The products, one per path, on already quantized activations; `parallel`
// allows OpenMP. Call only when the matching Use*() of cpu_features.h is
// true (they are not built for other CPUs).
struct TiledProduct;
void MatMulTiledAvx512Vnni(const TiledProduct& p, bool parallel);
void MatMulTiledAvx2(const TiledProduct& p, bool parallel);
void MatMulTiledAvxVnni(const TiledProduct& p, bool parallel);
void MatMulTiledNeon(const TiledProduct& p, bool parallel);
void MatMulTiledNeonDotprod(const TiledProduct& p, bool parallel);

// Activation codes q [n, cols] block-major, [cols / 32][n][32], in storage
// reused per calling thread (prefill kernels stream many rows past one tile).
// Here, not in the per-instruction-set files, so that no std::vector code is
// compiled with their flags (tests/isa_symbols_test.sh).
const int8_t* BlockMajorCodes(const int8_t* q, size_t n, size_t cols, bool parallel);

// One product as the paths' micro-kernels read it, in plain pointers (the
// per-instruction-set files use no std:: code). Row group g (16 rows) of
// block b is the tile at w + g * group_bytes + b * tile_bytes.
struct TiledProduct {
  DType type;  // q8 or q4
  const uint8_t* w;
  size_t tile_bytes, group_bytes, rows, groups, nb;
  size_t n, cols;        // activation rows and their length
  const int8_t* q;       // [n, cols] activation codes
  const float* scale;    // [n, nb] their block scales
  const int32_t* corr;   // [n, nb] ZeroPointShares(), for the paths that start block sums at it
  float* y;              // [n, rows]
  const float* bias;
  TiledProduct(const WeightMatrix& w, const quant::ActivationBlocks& a, float* y, const float* bias);
};

// Calls run(g0, g1) for row groups [g0, g1) in work items of `per_item`
// groups, handed out in chunks on demand: a vCPU slowed by its neighbours on
// a shared host does not hold up the other threads at the join.
template <class F>
void ForRowGroups(size_t groups, size_t per_item, bool parallel, const F& run);

}  // namespace kernels
}  // namespace ecgr1

// --- Template definition. -------------------------------------------------------
namespace ecgr1 {
namespace kernels {

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
