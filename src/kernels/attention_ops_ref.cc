// attention_ops_ref.cc — scalar twins of attention_ops.h (test oracle).
#include "base/bf16.h"
#include "kernels/attention_ops.h"

namespace ecgr1 {
namespace ref {

float DotBf16(const float* a, const uint16_t* b, size_t n) {
  double acc = 0;
  for (size_t i = 0; i < n; ++i) acc += static_cast<double>(a[i]) * Bf16ToF32(b[i]);
  return static_cast<float>(acc);
}

void AxpyBf16(float a, const uint16_t* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += a * Bf16ToF32(x[i]);
}

void AttentionScores(const float* q, size_t n_q, const float* k, size_t n_k, size_t hd, bool bf16, float* scores) {
  auto round = [bf16](float v) { return bf16 ? Bf16ToF32(F32ToBf16(v)) : v; };
  for (size_t i = 0; i < n_q; ++i)
    for (size_t j = 0; j < n_k; ++j) {
      double acc = 0;
      for (size_t c = 0; c < hd; ++c) acc += static_cast<double>(round(q[i * hd + c])) * round(k[j * hd + c]);
      scores[i * n_k + j] = static_cast<float>(acc);
    }
}

}  // namespace ref
}  // namespace ecgr1
