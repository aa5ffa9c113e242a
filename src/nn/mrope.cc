#include "nn/mrope.h"

#include <cmath>

namespace ecgr1 {

MRope::MRope(const TextConfig& c) {
  const size_t half = static_cast<size_t>(c.head_dim / 2);
  inv_freq_.resize(half);
  stream_.resize(half);
  for (size_t j = 0; j < half; ++j) {
    // As transformers: 1 / theta ** (arange(0, hd, 2) / hd), in float32.
    const float expo = static_cast<float>(2 * j) / static_cast<float>(c.head_dim);
    inv_freq_[j] = 1.0f / std::pow(static_cast<float>(c.rope_theta), expo);
    const int64_t jj = static_cast<int64_t>(j);
    if (jj % 3 == 1 && jj < 3 * c.mrope_section[1])
      stream_[j] = 1;
    else if (jj % 3 == 2 && jj < 3 * c.mrope_section[2])
      stream_[j] = 2;
    else
      stream_[j] = 0;
  }
}

void MRope::Angles(int64_t t, int64_t h, int64_t w, float* cos_out, float* sin_out) const {
  const int64_t pos[3] = {t, h, w};
  for (size_t j = 0; j < inv_freq_.size(); ++j) {
    const float a = static_cast<float>(pos[stream_[j]]) * inv_freq_[j];
    cos_out[j] = std::cos(a);
    sin_out[j] = std::sin(a);
  }
}

}  // namespace ecgr1
