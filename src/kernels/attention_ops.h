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

// Target these kernels dispatch to (tests check that a pinned target reaches them).
const char* AttentionTargetName();

}  // namespace kernels

namespace ref {

float DotBf16(const float* a, const uint16_t* b, size_t n);
void AxpyBf16(float a, const uint16_t* x, float* y, size_t n);

}  // namespace ref
}  // namespace ecgr1
