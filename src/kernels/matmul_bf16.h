// matmul_bf16.h — the AVX512-BF16 path for bf16 weights (internal to the
// kernel layer). kernels::MatMul (ops.h) takes it when the CPU has
// AVX512-BF16 and IntrinsicsEnabled(); otherwise bf16 weights are widened to
// f32 by the Highway kernels. This path rounds the activations to bf16.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/ops.h"

namespace ecgr1 {
namespace kernels {

// y[n, w.rows] = bf16(x[n, w.cols]) * w^T (+ bias) with w in bf16; f32 sums.
void MatMulBf16Avx512(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias, bool parallel);

// Attention scores with a short head dimension (hd even): keys [n_k, hd]
// rounded to bf16 and packed by pairs of columns, [hd/2][n_k rounded up to 64][2],
// then scores[i, j] = sum_c bf16(q[i, c]) * k[j, c] for n_q queries [n_q, hd].
// Keys sit in the lanes, so no per-score horizontal sum (MatMul's way, which
// costs more than the 36 pair steps of a 72-wide head).
void PackKeysBf16(const float* k, size_t n_k, size_t hd, std::vector<uint16_t>* out);
void ScoresBf16Avx512(const std::vector<uint16_t>& kpack, size_t n_k, const float* q, size_t n_q, size_t hd,
                      float* scores);

}  // namespace kernels
}  // namespace ecgr1
