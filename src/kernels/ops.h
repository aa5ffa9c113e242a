// ops.h — the kernel layer: every numeric inner loop of the engine.
//
// This header is free of Highway types. ops.cc compiles each kernel for every
// x86 target Highway knows (SSE4, AVX2, AVX-512, AVX-512 VNNI/BF16-era
// "AVX3_DL") and dispatches once per call at run time. Each kernel has a scalar
// twin in ops_ref.h (namespace ref) that tests use as the oracle.
//
// Conventions: activations are float32, row-major. A weight matrix W has shape
// [rows, cols] in PyTorch layout (out_features x in_features); a linear layer
// computes y = x W^T. Weights live in the model's mmap in their stored dtype.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/dtype.h"
#include "base/tensor.h"

namespace ecgr1 {

// A 2-D weight in its stored type, used in place (no copy).
struct WeightMatrix {
  DType type = DType::kF32;
  const void* data = nullptr;
  size_t rows = 0, cols = 0;
  // bf16 weights only: the product may round the activations to bf16 to use
  // AVX512-BF16 where that pays (kernels::UseAvx512Bf16(); about 1e-3
  // relative error instead of f32 rounding). The
  // model sets it for the bf16 vision encoder of q8 / q4 files, whose users
  // chose speed over exactness already; bf16 and f32 files compute in f32.
  bool bf16_activations = false;
  size_t row_bytes() const;  // bytes of one row (plain types)
};

// Throws Error(kInternal) unless the matrix type is one the kernels compute
// with (f32, bf16, f16). The model loader admits only those, so this guards
// our own bugs with a message instead of undefined behaviour.
void CheckMatrixType(const WeightMatrix& w);

// Views a 2-D (or, for conv weights, N-D flattened to [dim0, rest]) tensor.
WeightMatrix AsMatrix(const TensorView& t);

namespace kernels {

// Below this many multiply-adds a MatMul runs on the calling thread only
// (thread start-up would cost more than it saves).
constexpr size_t kMinParallelMacs = size_t{1} << 17;

// y[n, w.rows] = x[n, w.cols] * w^T (+ bias[w.rows] if non-null).
// Threaded with OpenMP over output rows. x and y must not overlap.
void MatMul(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias = nullptr);

// out[i] = float(row `r` of w), i < w.cols (embedding lookup).
void RowToF32(const WeightMatrix& w, size_t r, float* out);

// sum_i a[i] * b[i]
float Dot(const float* a, const float* b, size_t n);

// y[i] += a * x[i]
void Axpy(float a, const float* x, float* y, size_t n);

// The same with b / x in bf16 (KV cache rows), widened exactly in registers.
float DotBf16(const float* a, const uint16_t* b, size_t n);
void AxpyBf16(float a, const uint16_t* x, float* y, size_t n);

// y[i] += x[i]
void Add(const float* x, float* y, size_t n);

// y[i] *= a
void Scale(float a, float* y, size_t n);

// out[i] = x[i] / sqrt(mean(x^2) + eps) * gamma[i]; out may equal x.
void RmsNorm(const float* x, const float* gamma, size_t n, float eps, float* out);

// out[i] = (x[i] - mean) / sqrt(var + eps) * gamma[i] + beta[i]; out may equal x.
void LayerNorm(const float* x, const float* gamma, const float* beta, size_t n, float eps, float* out);

// In place softmax over n values (max-subtracted).
void Softmax(float* x, size_t n);

// gate[i] = silu(gate[i]) * up[i]
void SiluMul(float* gate, const float* up, size_t n);

// x[i] = gelu(x[i]) with the exact erf form / the tanh approximation.
void GeluErf(float* x, size_t n);
void GeluTanh(float* x, size_t n);

// Rotate-half rotary embedding of one head vector x[dim]: for j < dim/2,
// (x[j], x[j+dim/2]) is rotated by angle with cos_[j], sin_[j].
void RopeRotateHalf(float* x, const float* cos_, const float* sin_, size_t dim);

// Name of the instruction-set target the kernels above dispatch to on this CPU
// (e.g. "AVX3_DL", "AVX2"), for `ecgr1 info` and benchmarks. Tests may pin a
// target with hwy::SetSupportedTargetsForTest; this reflects the pinned one.
const char* TargetName();

}  // namespace kernels
}  // namespace ecgr1
