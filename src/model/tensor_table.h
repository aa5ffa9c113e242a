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

// The part of the model a tensor belongs to, by its name (for the storage
// policy of convert-weights, `info`'s summary and `bench`'s bytes per token).
enum class TensorPart {
  kEmbedding,        // model.language_model.embed_tokens.weight
  kTextLayerMatrix,  // q/k/v/o and gate/up/down projections of a decoder layer
  kTextVector,       // a decoder layer's norms and the final norm
  kLmHead,           // lm_head.weight
  kVision,           // model.visual.*
  kEcgTower,         // model.ecg_tower.*
  kEcgProjector,     // model.ecg_projector.*
  kOther,            // anything else (not in the table)
};
TensorPart PartOf(const std::string& name);

}  // namespace ecgr1
