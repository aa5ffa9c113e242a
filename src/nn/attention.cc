#include "nn/attention.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "base/bf16.h"
#include "kernels/attention_ops.h"
#include "kernels/gemm.h"
#include "kernels/ops.h"

namespace ecgr1 {

void FullAttention(const float* qkv, size_t n, size_t W, size_t heads, const float* cos_, const float* sin_,
                   float* out, bool bf16) {
  bf16 = bf16 && kernels::Bf16PathAvailable();  // rounding without the fast path would only add error
  const size_t hd = W / heads;
  const size_t half = hd / 2;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  std::vector<float> q(n * hd), k(n * hd), v(n * hd), scores(n * n), o(n * hd);
  // With bf16, V^T in bf16 plays the weight matrix of the second product.
  std::vector<float> vt(bf16 ? hd * n : 0);
  std::vector<uint16_t> vtb(bf16 ? hd * n : 0);
  WeightMatrix vt_weights{DType::kBF16, vtb.data(), hd, n};
  vt_weights.bf16_activations = true;
  const long nn = static_cast<long>(n);
  for (size_t h = 0; h < heads; ++h) {
#pragma omp parallel for schedule(static)
    for (long ii = 0; ii < nn; ++ii) {
      const size_t i = static_cast<size_t>(ii);
      const float* row = qkv + i * 3 * W + h * hd;
      std::memcpy(&q[i * hd], row, hd * sizeof(float));
      std::memcpy(&k[i * hd], row + W, hd * sizeof(float));
      if (cos_ != nullptr) {
        kernels::RopeRotateHalf(&q[i * hd], cos_ + i * half, sin_ + i * half, hd);
        kernels::RopeRotateHalf(&k[i * hd], cos_ + i * half, sin_ + i * half, hd);
      }
      std::memcpy(&v[i * hd], row + 2 * W, hd * sizeof(float));
      if (bf16)
        for (size_t c = 0; c < hd; ++c) vt[c * n + i] = row[2 * W + c];
    }
    // scores[i, j] = q_i . k_j: the keys play the weight matrix [n, hd].
    kernels::AttentionScores(q.data(), n, k.data(), n, hd, bf16, scores.data());
#pragma omp parallel for schedule(static)
    for (long ii = 0; ii < nn; ++ii) {
      float* srow = &scores[static_cast<size_t>(ii) * n];
      kernels::Scale(scale, srow, n);
      kernels::Softmax(srow, n);
    }
    // o[i, c] = sum_j p[i, j] v[j, c].
    if (bf16) {
      F32ToBf16(vt.data(), vtb.data(), vt.size());
      kernels::MatMul(vt_weights, scores.data(), n, o.data());
    } else {
      kernels::GemmF32(scores.data(), n, n, v.data(), hd, false, o.data());
    }
    for (size_t i = 0; i < n; ++i) std::memcpy(out + i * W + h * hd, &o[i * hd], hd * sizeof(float));
  }
}

}  // namespace ecgr1
