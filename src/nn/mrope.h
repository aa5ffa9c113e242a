// mrope.h — interleaved multimodal rotary embedding of the Qwen3-VL decoder.
//
// Each token has three positions (t, h, w). Frequency slot j (0 <= j < hd/2)
// takes its position from stream h if j % 3 == 1 and j < 3*section[1], from w
// if j % 3 == 2 and j < 3*section[2], else from t. Angles are pos * inv[j],
// inv[j] = theta^(-2j/hd) in float32; applied rotate-half (pairs j, j + hd/2).
// For text-only prompts (t = h = w) this is ordinary 1-D RoPE.
#pragma once

#include <cstdint>
#include <vector>

#include "model/config.h"

namespace ecgr1 {

class MRope {
 public:
  explicit MRope(const TextConfig& c);
  // cos/sin of the hd/2 angles of a token at positions (t, h, w).
  void Angles(int64_t t, int64_t h, int64_t w, float* cos_out, float* sin_out) const;
  size_t half() const { return inv_freq_.size(); }

 private:
  std::vector<float> inv_freq_;
  std::vector<uint8_t> stream_;  // 0 = t, 1 = h, 2 = w per slot
};

}  // namespace ecgr1
