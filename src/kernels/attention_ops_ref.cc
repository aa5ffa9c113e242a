// attention_ops_ref.cc — scalar twin of attention_ops.h (test oracle).
#include "base/bf16.h"
#include "kernels/attention_ops.h"

namespace ecgr1 {
namespace ref {

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
