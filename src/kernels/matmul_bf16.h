// matmul_bf16.h — the AVX512-BF16 path for bf16 weights (internal to the
// kernel layer). kernels::MatMul (ops.h) takes it when the CPU has
// AVX512-BF16 and IntrinsicsEnabled(); otherwise bf16 weights are widened to
// f32 by the Highway kernels. This path rounds the activations to bf16.
#pragma once

#include <cstddef>

#include "kernels/ops.h"

namespace ecgr1 {
namespace kernels {

// y[n, w.rows] = bf16(x[n, w.cols]) * w^T (+ bias) with w in bf16; f32 sums.
void MatMulBf16Avx512(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias, bool parallel);

}  // namespace kernels
}  // namespace ecgr1
