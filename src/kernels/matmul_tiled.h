// matmul_tiled.h — matrix products with q8 / q4 weights (quant/tiled_quant.h).
//
// Internal to the kernel layer: kernels::MatMul (ops.h) sends q8 / q4 weights
// here. The activations are quantized to int8 blocks once per call, then one
// of two paths computes the integer block dot products:
//   - AVX-512 VNNI intrinsics (matmul_tiled_vnni.cc) when the CPU has them
//     and IntrinsicsEnabled();
//   - otherwise Highway, compiled for every x86 target (matmul_tiled.cc).
// Both produce exactly the numbers of ref::MatMul.
#pragma once

#include <cstddef>

#include "kernels/ops.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {
namespace kernels {

// y[n, w.rows] = x[n, w.cols] * w^T (+ bias) for a q8 / q4 matrix.
void MatMulTiled(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias);

// ActivationBlocks::Quantize with AVX-512, bit-identical, threaded for
// prefill-sized inputs (CPUs with CpuHasAvx512Vnni() only).
void QuantizeActivationsVnni(const float* x, size_t n, size_t cols, quant::ActivationBlocks* a);

// The VNNI path for already quantized activations; `parallel` allows OpenMP.
void MatMulTiledVnni(const WeightMatrix& w, const quant::ActivationBlocks& a, float* y, const float* bias,
                     bool parallel);

}  // namespace kernels
}  // namespace ecgr1
