// attention_ops.h — attention scores of one head on the kernel layer.
//
// The bf16 KV-cache kernels (DotBf16, AxpyBf16) are in ops.h with the other
// vector kernels. The scalar twin in namespace ref is the test oracle.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ecgr1 {
namespace kernels {

// Bidirectional attention scores of one head: scores[i, j] = q_i . k_j for
// queries q [n_q, hd] and keys k [n_k, hd] (f32). With `bf16` (and an even hd
// on a CPU with AVX512-BF16, intrinsics enabled) both are rounded to bf16 and
// multiplied with the keys in the vector lanes (matmul_bf16.h); otherwise the
// scores are f32 products on the encoders' GEMM path (gemm.h). Callers pass bf16 only where
// their weights already allow bf16 activations (WeightMatrix).
void AttentionScores(const float* q, size_t n_q, const float* k, size_t n_k, size_t hd, bool bf16, float* scores);

// True when AttentionScores / MatMul would take the AVX512-BF16 path for bf16
// requests: then rounding operands to bf16 buys speed, otherwise only error.
bool Bf16PathAvailable();

}  // namespace kernels

namespace ref {

// Scores in double; with bf16, of the bf16-rounded operands.
void AttentionScores(const float* q, size_t n_q, const float* k, size_t n_k, size_t hd, bool bf16, float* scores);

}  // namespace ref
}  // namespace ecgr1
