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

}  // namespace ref
}  // namespace ecgr1
