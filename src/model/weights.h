// weights.h — typed views of the model's weights, bound by name from the
// tensor table. All pointers point into the .ecgr1 mmap (no copy).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/tensor.h"
#include "kernels/ops.h"
#include "model/config.h"

namespace ecgr1 {

// One Qwen3 decoder layer. Shapes with d = hidden, hd = head_dim.
struct TextLayerWeights {
  const float* input_norm = nullptr;  // [d]
  WeightMatrix q, k, v, o;            // [heads*hd, d], [kv*hd, d], [kv*hd, d], [d, heads*hd]
  const float* q_norm = nullptr;      // [hd]
  const float* k_norm = nullptr;      // [hd]
  const float* post_norm = nullptr;   // [d]
  WeightMatrix gate, up, down;        // [ff, d], [ff, d], [d, ff]
};

struct TextWeights {
  WeightMatrix embed;                 // [vocab, d]
  std::vector<TextLayerWeights> layers;
  const float* final_norm = nullptr;  // [d]
  WeightMatrix lm_head;               // [vocab, d]
};

// The ECG-CoCa tower (open_clip EcgTransformer) and the mlp2x_gelu projector.
// W = tower width, H = text hidden size.
struct EcgBlockWeights {
  const float *ln1_w = nullptr, *ln1_b = nullptr;  // [W]
  WeightMatrix in_proj;                             // [3W, W], rows q | k | v
  const float* in_proj_b = nullptr;                 // [3W]
  WeightMatrix out_proj;                            // [W, W]
  const float* out_proj_b = nullptr;                // [W]
  const float *ln2_w = nullptr, *ln2_b = nullptr;  // [W]
  WeightMatrix fc;                                  // [4W, W]
  const float* fc_b = nullptr;                      // [4W]
  WeightMatrix proj;                                // [W, 4W]
  const float* proj_b = nullptr;                    // [W]
};

struct EcgWeights {
  WeightMatrix conv1;                    // [W, leads * patch]: Conv1d weight [W, leads, patch] flattened
  const float* class_embedding = nullptr;  // [W]
  WeightMatrix positional_embedding;     // [tokens, W]
  const float *ln_pre_w = nullptr, *ln_pre_b = nullptr;  // [W]
  std::vector<EcgBlockWeights> blocks;
  WeightMatrix proj0;                    // [H, W]
  const float* proj0_b = nullptr;        // [H]
  WeightMatrix proj2;                    // [H, H]
  const float* proj2_b = nullptr;        // [H]
};

// The Qwen3-VL vision encoder. Wv = vision width, Wm = 4 * Wv (a 2x2 merge
// window), H = text hidden size.
struct VisionBlockWeights {
  const float *norm1_w = nullptr, *norm1_b = nullptr;  // [Wv]
  WeightMatrix qkv;                                     // [3Wv, Wv], rows q | k | v
  const float* qkv_b = nullptr;                         // [3Wv]
  WeightMatrix proj;                                    // [Wv, Wv]
  const float* proj_b = nullptr;
  const float *norm2_w = nullptr, *norm2_b = nullptr;  // [Wv]
  WeightMatrix fc1;                                     // [ff, Wv]
  const float* fc1_b = nullptr;
  WeightMatrix fc2;                                     // [Wv, ff]
  const float* fc2_b = nullptr;
};

// A patch merger: LayerNorm (over Wv before grouping for the final merger,
// over Wm after grouping for the DeepStack ones), fc1 [Wm, Wm], GELU_erf, fc2 [H, Wm].
struct MergerWeights {
  const float *norm_w = nullptr, *norm_b = nullptr;
  WeightMatrix fc1;
  const float* fc1_b = nullptr;
  WeightMatrix fc2;
  const float* fc2_b = nullptr;
};

struct VisionWeights {
  WeightMatrix patch_embed;               // [Wv, C * T * P * P]: Conv3d weight flattened
  const float* patch_embed_b = nullptr;   // [Wv]
  WeightMatrix pos_embed;                 // [side * side, Wv] learned position grid
  std::vector<VisionBlockWeights> blocks;
  MergerWeights merger;
  std::vector<MergerWeights> deepstack;   // one per deepstack_visual_indexes entry
};

// Finds a tensor by name; returns nullptr if absent.
using TensorLookup = std::function<const TensorView*(const std::string&)>;

// Binds the text decoder's weights, checking every name, shape and dtype
// against the tensor table. `source` names the model file in errors.
TextWeights BindTextWeights(const ModelConfig& c, const TensorLookup& find, const std::string& source);

// Binds the ECG tower and projector (config must have has_ecg).
EcgWeights BindEcgWeights(const ModelConfig& c, const TensorLookup& find, const std::string& source);

// Binds the vision encoder (config must have has_vision).
VisionWeights BindVisionWeights(const ModelConfig& c, const TensorLookup& find, const std::string& source);

// Checks that every tensor of the table is present with the right shape and a
// dtype we can compute with, and that there are no unknown tensors.
// `names` lists all tensors in the file.
void CheckAllTensors(const ModelConfig& c, const TensorLookup& find, const std::vector<std::string>& names,
                     const std::string& source);

}  // namespace ecgr1
