#include "nn/attention.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "base/bf16.h"
#include "kernels/ops.h"

namespace ecgr1 {

void FullAttention(const float* qkv, size_t n, size_t W, size_t heads, const float* cos_, const float* sin_,
                   float* out, bool bf16) {
  const size_t hd = W / heads;
  const size_t half = hd / 2;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  std::vector<float> q(n * hd), k(n * hd), vt(hd * n), scores(n * n), o(n * hd);
  std::vector<uint16_t> kb(bf16 ? n * hd : 0), vtb(bf16 ? hd * n : 0);
  // Keys (and V^T) play the weight matrix of the two products.
  auto as_weights = [&](const std::vector<float>& f, std::vector<uint16_t>& b, size_t rows, size_t cols) {
    if (!bf16) return WeightMatrix{DType::kF32, f.data(), rows, cols};
    for (size_t i = 0; i < f.size(); ++i) b[i] = F32ToBf16(f[i]);
    WeightMatrix m{DType::kBF16, b.data(), rows, cols};
    m.bf16_activations = true;
    return m;
  };
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
      for (size_t c = 0; c < hd; ++c) vt[c * n + i] = row[2 * W + c];
    }
    // scores[i, j] = q_i . k_j: the keys play the weight matrix [n, hd].
    kernels::MatMul(as_weights(k, kb, n, hd), q.data(), n, scores.data());
#pragma omp parallel for schedule(static)
    for (long ii = 0; ii < nn; ++ii) {
      float* srow = &scores[static_cast<size_t>(ii) * n];
      kernels::Scale(scale, srow, n);
      kernels::Softmax(srow, n);
    }
    // o[i, c] = sum_j p[i, j] v[j, c]: V^T plays the weight matrix [hd, n].
    kernels::MatMul(as_weights(vt, vtb, hd, n), scores.data(), n, o.data());
    for (size_t i = 0; i < n; ++i) std::memcpy(out + i * W + h * hd, &o[i * hd], hd * sizeof(float));
  }
}

}  // namespace ecgr1
