#include "kernels/gemm.h"

#include <vector>

#include "kernels/cpu_features.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {
namespace kernels {
namespace {

using GemmFn = void (*)(const float*, size_t, size_t, const float*, size_t, bool, float*);

// Fewer activation rows than this: MatMul (the GEMM's packing would cost more
// than it saves).
constexpr size_t kMinGemmRows = 8;

// The Eigen copy for the current cap, or null for the Highway path.
GemmFn Pick() {
  if (!IntrinsicsEnabled() || MaxIsa() == Isa::kScalar) return nullptr;
#if defined(__x86_64__)
  if (MaxIsa() >= Isa::kAvx512) return GemmEigenAvx512;  // MaxIsa() never exceeds the CPU
  if (MaxIsa() >= Isa::kAvx2) return GemmEigenAvx2;
#endif
  return GemmEigenBaseline;
}

}  // namespace

const char* GemmPathName() {
  const GemmFn fn = Pick();
  if (fn == nullptr) return "highway";
#if defined(__x86_64__)
  if (fn == GemmEigenAvx512) return "eigen-avx512";
  if (fn == GemmEigenAvx2) return "eigen-avx2";
  return "eigen-sse2";
#else
  return "eigen-neon";
#endif
}

void GemmF32(const float* a, size_t m, size_t k, const float* b, size_t n, bool b_rows, float* c) {
  if (m == 0 || n == 0) return;
  if (const GemmFn fn = Pick(); fn != nullptr && m >= kMinGemmRows) return fn(a, m, k, b, n, b_rows, c);
  if (b_rows) return MatMul(WeightMatrix{DType::kF32, b, n, k}, a, m, c);
  static thread_local std::vector<float> bt;  // b^T: MatMul takes rows
  bt.resize(n * k);
  for (size_t i = 0; i < k; ++i)
    for (size_t j = 0; j < n; ++j) bt[j * k + i] = b[i * n + j];
  MatMul(WeightMatrix{DType::kF32, bt.data(), n, k}, a, m, c);
}

void Gemm(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias) {
  CheckMatrixType(w);
  const GemmFn fn = Pick();
  const bool bf16_path = w.type == DType::kBF16 && w.bf16_activations && UseAvx512Bf16();
  if (fn == nullptr || n < kMinGemmRows || quant::IsTiled(w.type) || bf16_path) return MatMul(w, x, n, y, bias);
  const float* wf = static_cast<const float*>(w.data);
  if (w.type != DType::kF32) {
    // Widened once per call (a few ms against the product's hundreds).
    static thread_local std::vector<float> widened;
    widened.resize(w.rows * w.cols);
    float* dst = widened.data();  // the pointer, not the thread_local, crosses into the threads
    const long rows = static_cast<long>(w.rows);
#pragma omp parallel for schedule(static)
    for (long r = 0; r < rows; ++r) RowToF32(w, static_cast<size_t>(r), dst + static_cast<size_t>(r) * w.cols);
    wf = dst;
  }
  fn(x, n, w.cols, wf, w.rows, true, y);
  if (bias != nullptr)
    for (size_t i = 0; i < n; ++i) Add(bias, y + i * w.rows, w.rows);
}

}  // namespace kernels
}  // namespace ecgr1
