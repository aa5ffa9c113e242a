// gemm.h — matrix products for the compute-bound encoders (vision encoder,
// ECG tower, their attention): Eigen's cache-blocked f32 GEMM, compiled for
// each instruction set and chosen at run time (gemm_eigen-inl.h).
//
// MatMul (ops.h) walks each output as one dot product in a fixed order, so
// row i of a batch equals the single-row product bit for bit: the text
// decoder relies on that (prefill and decode agree). A blocked GEMM reaches
// a large share of the FMA peak (measured: 70 % on AVX2, one Sapphire Rapids
// core) but its rounding depends on the blocking, hence on n: these
// functions are for the encoders, which run each input once.
#pragma once

#include <cstddef>

#include "kernels/ops.h"

namespace ecgr1 {
namespace kernels {

// y[n, w.rows] = x[n, w.cols] * w^T (+ bias) with w f32, bf16 or f16 (16-bit
// weights are widened to f32 once per call). Takes MatMul for q8/q4 weights,
// for bf16 weights on the AVX512-BF16 path (bf16_activations), for small n,
// and when the cap is `scalar` or the intrinsics are off.
void Gemm(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias = nullptr);

// c[m, n] = a[m, k] * B with B = b^T for b [n, k] (b_rows) or B = b [k, n];
// all row-major f32.
void GemmF32(const float* a, size_t m, size_t k, const float* b, size_t n, bool b_rows, float* c);

// "eigen-avx512", "eigen-avx2", "eigen-sse2", "eigen-neon" or "highway": the
// path Gemm takes now.
const char* GemmPathName();

// The per-instruction-set copies (gemm_eigen*.cc), same contract as GemmF32.
void GemmEigenBaseline(const float* a, size_t m, size_t k, const float* b, size_t n, bool b_rows, float* c);
void GemmEigenAvx2(const float* a, size_t m, size_t k, const float* b, size_t n, bool b_rows, float* c);
void GemmEigenAvx512(const float* a, size_t m, size_t k, const float* b, size_t n, bool b_rows, float* c);

}  // namespace kernels
}  // namespace ecgr1
