// ops_ref.h — scalar reference versions of every kernel in ops.h.
//
// Straightforward loops with double accumulation where it helps clarity; the
// tests compare each dispatched SIMD kernel with these on every target the CPU
// can run. Never used on the hot path.
#pragma once

#include "kernels/ops.h"

namespace ecgr1 {
namespace ref {

void MatMul(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias = nullptr);
void RowToF32(const WeightMatrix& w, size_t r, float* out);
float Dot(const float* a, const float* b, size_t n);
void Axpy(float a, const float* x, float* y, size_t n);
float DotBf16(const float* a, const uint16_t* b, size_t n);
void AxpyBf16(float a, const uint16_t* x, float* y, size_t n);
void Add(const float* x, float* y, size_t n);
void Scale(float a, float* y, size_t n);
void RmsNorm(const float* x, const float* gamma, size_t n, float eps, float* out);
void LayerNorm(const float* x, const float* gamma, const float* beta, size_t n, float eps, float* out);
void Softmax(float* x, size_t n);
void SiluMul(float* gate, const float* up, size_t n);
void GeluErf(float* x, size_t n);
void GeluTanh(float* x, size_t n);
void RopeRotateHalf(float* x, const float* cos_, const float* sin_, size_t dim);

}  // namespace ref
}  // namespace ecgr1
