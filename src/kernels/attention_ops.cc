// attention_ops.cc — attention scores on the kernel layer: the AVX512-BF16
// keys-in-lanes path where allowed and present, else the encoders' GEMM.
#include "kernels/attention_ops.h"

#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/gemm.h"
#include "kernels/matmul_bf16.h"
#include "kernels/ops.h"

namespace ecgr1 {
namespace kernels {

bool Bf16PathAvailable() { return UseAvx512Bf16(); }

void AttentionScores(const float* q, size_t n_q, const float* k, size_t n_k, size_t hd, bool bf16, float* scores) {
#if defined(__x86_64__)
  if (bf16 && hd % 2 == 0 && Bf16PathAvailable()) {
    static thread_local std::vector<uint16_t> pack;  // grows, then reused
    PackKeysBf16(k, n_k, hd, &pack);
    ScoresBf16Avx512(pack, n_k, q, n_q, hd, scores);
    return;
  }
#endif
  // scores = q k^T with the keys as rows: the encoders' GEMM.
  GemmF32(q, n_q, hd, k, n_k, true, scores);
}

}  // namespace kernels
}  // namespace ecgr1
