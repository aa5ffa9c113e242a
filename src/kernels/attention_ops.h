// attention_ops.h — kernels for attention over a bf16 KV cache.
//
// The KV cache stores keys and values as bf16 (half the memory of f32, the
// same type as the weights); queries, scores and outputs stay f32. These
// kernels widen each bf16 element to f32 in registers (exact: bf16 is the top
// half of an f32) and accumulate in f32.
//
// attention_ops.cc compiles them for every x86 target Highway knows and
// dispatches at run time like ops.cc (kept in its own file so the two can
// change independently). The scalar twins in namespace ref are the test oracle.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ecgr1 {
namespace kernels {

// sum_i a[i] * float(b[i]), b in bf16.
float DotBf16(const float* a, const uint16_t* b, size_t n);

// y[i] += a * float(x[i]), x in bf16.
void AxpyBf16(float a, const uint16_t* x, float* y, size_t n);

// Bidirectional attention scores of one head: scores[i, j] = q_i . k_j for
// queries q [n_q, hd] and keys k [n_k, hd] (f32). With `bf16` (and an even hd
// on a CPU with AVX512-BF16, intrinsics enabled) both are rounded to bf16 and
// multiplied with the keys in the vector lanes (matmul_bf16.h); otherwise the
// scores are f32 products on the MatMul path. Callers pass bf16 only where
// their weights already allow bf16 activations (WeightMatrix).
void AttentionScores(const float* q, size_t n_q, const float* k, size_t n_k, size_t hd, bool bf16, float* scores);

// True when AttentionScores / MatMul would take the AVX512-BF16 path for bf16
// requests: then rounding operands to bf16 buys speed, otherwise only error.
bool Bf16PathAvailable();

// Target these kernels dispatch to (tests check that a pinned target reaches them).
const char* AttentionTargetName();

}  // namespace kernels

namespace ref {

float DotBf16(const float* a, const uint16_t* b, size_t n);
void AxpyBf16(float a, const uint16_t* x, float* y, size_t n);
// Scores in double; with bf16, of the bf16-rounded operands.
void AttentionScores(const float* q, size_t n_q, const float* k, size_t n_k, size_t hd, bool bf16, float* scores);

}  // namespace ref
}  // namespace ecgr1
