// tensor_table.h — the one table of every tensor an ECG-R1 checkpoint holds.
//
// Names are the Hugging Face / open_clip names as the released checkpoint
// stores them (we keep the source's names everywhere: no second naming).
// Shapes follow from the config. convert-weights walks this table to check a
// checkpoint (missing / extra / mis-shaped tensors are named) and the loader
// walks it to bind weights, so the two cannot disagree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/config.h"

namespace ecgr1 {

enum class TensorRole {
  kMatrix,  // a weight used by a matmul or a row lookup: stored in the requested type
  kVector,  // norms, biases, class embedding: always stored as f32
};

struct ExpectedTensor {
  std::string name;
  std::vector<uint64_t> shape;
  TensorRole role;
  bool used;  // false for tensors we carry but never compute with (ln_post, proj)
};

std::vector<ExpectedTensor> ExpectedTensors(const ModelConfig& c);

}  // namespace ecgr1
