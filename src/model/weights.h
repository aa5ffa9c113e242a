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

// Finds a tensor by name; returns nullptr if absent.
using TensorLookup = std::function<const TensorView*(const std::string&)>;

// Binds the text decoder's weights, checking every name, shape and dtype
// against the tensor table. `source` names the model file in errors.
TextWeights BindTextWeights(const ModelConfig& c, const TensorLookup& find, const std::string& source);

// Checks that every tensor of the table is present with the right shape and a
// dtype we can compute with, and that there are no unknown tensors.
// `names` lists all tensors in the file.
void CheckAllTensors(const ModelConfig& c, const TensorLookup& find, const std::vector<std::string>& names,
                     const std::string& source);

}  // namespace ecgr1
