// vision_encoder.h — the Qwen3-VL vision encoder with its DeepStack taps.
//
// pixel_values [N, C*T*P*P] (patch rows in 2x2 merge-window order) ->
// patch embedding (Conv3d with kernel = stride as a matmul) + the learned
// position grid bilinearly resampled to the patch grid -> pre-LN blocks with
// 2-D rotary attention (bidirectional within the image) and tanh-GELU MLP ->
// final merger (LayerNorm per patch, 4 patches -> one token, fc1, GELU_erf, fc2).
// After the blocks listed in deepstack_visual_indexes, a DeepStack merger
// (group 4 patches first, then LayerNorm) makes features that the decoder adds
// to its hidden states after layers 0, 1, 2 at the image-token positions.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/weights.h"

namespace ecgr1 {

struct VisionOutput {
  std::vector<float> merged;                  // [N/4, H] image-token embeddings
  std::vector<std::vector<float>> deepstack;  // one [N/4, H] per tap
};

class VisionEncoder {
 public:
  VisionEncoder(const VisionWeights& w, const VisionConfig& c);

  // Named intermediates ("vision_patch_embed_out", "vision_block{i}_out") [N, Wv].
  using Dump = std::function<void(const std::string& name, const float* data, size_t rows, size_t cols)>;

  // One still image: grid (1, gh, gw) in patches, gh and gw even;
  // pixel_values has gh * gw rows.
  VisionOutput Encode(const float* pixel_values, int gh, int gw, const Dump& dump = nullptr) const;

  // The learned position table resampled to a gh x gw grid, in patch-row
  // (2x2 window) order: [gh * gw, Wv]. Exposed for tests.
  std::vector<float> PositionEmbeddings(int gh, int gw) const;

 private:
  std::vector<float> Merge(const MergerWeights& m, const float* x, size_t n, bool norm_after_grouping) const;

  const VisionWeights& w_;
  VisionConfig c_;
};

}  // namespace ecgr1
