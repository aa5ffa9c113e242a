// synthetic.h — random-weight models of named shapes, built in memory, for
// `ecgr1 bench --synthetic SIZE` (speed does not depend on what the numbers
// mean, so the 8B shapes can be measured without the 17 GB download).
//
// Sizes: "8b" — the real ECG-R1-8B shapes (Qwen3-VL-8B text decoder and vision
// encoder, ECG-CoCa ViT-B-32 tower, mlp2x_gelu projector); "tiny" — the same
// architecture a few MB large, for tests. Tensor types follow convert's
// StoredType policy for the requested type. Weights: q8 / q4 tensors get
// random codes and realistic block scales (weight std about 0.02), bf16 / f32
// matrices uniform values in +-0.04, norms 1, biases 0. The tokenizer is a
// small byte-level BPE (the 256 byte symbols plus one token per word of the
// ECG-R1 system prompt and instruction, so prompts have realistic lengths)
// with the Qwen3 special tokens at their real ids. Labelled random_weights.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/dtype.h"
#include "engine/model.h"
#include "format/ecgr1_file.h"

namespace ecgr1 {

// The names SyntheticHfConfig accepts: "8b", "tiny".
const std::vector<std::string>& SyntheticSizes();

// The Hugging Face-style config.json of a named size; Error(kUsage) for an
// unknown name.
nlohmann::json SyntheticHfConfig(const std::string& size);

// The synthetic tokenizer in the .ecgr1 metadata form (Tokenizer::ToJson).
nlohmann::json SyntheticTokenizerJson();

// Everything WriteEcgr1 needs for a synthetic model, and its data bytes.
struct SyntheticPlan {
  nlohmann::json metadata;
  std::vector<Ecgr1TensorSpec> tensors;
  uint64_t tensor_bytes = 0;  // sum of the tensors' sizes
  uint64_t file_bytes = 0;    // an upper bound of the file size
};
SyntheticPlan PlanSyntheticModel(const std::string& size, DType type, uint64_t seed = 1);

// A synthetic model opened from a temporary file that no longer exists.
struct SyntheticModel {
  std::unique_ptr<Model> model;
  std::string size, folder;  // e.g. "8b", "/dev/shm"
  DType type = DType::kQ4;
  uint64_t file_bytes = 0;
  double generate_ms = 0;    // writing the file
};

// Writes the model into a temporary file named with the pid in the first of
// /dev/shm, $TMPDIR, /tmp (only $ECGR1_SYNTHETIC_DIR if set) with room for
// it (memory-backed folders also need that much available memory), writes it
// in place (WriteEcgr1Mapped), opens it, and unlinks it as soon as it is
// mapped: nothing is left behind, on errors neither. Error(kUsage) for an
// unknown size or type; Error(kOutput) with the sizes when no folder has room.
SyntheticModel MakeSyntheticModel(const std::string& size, DType type, const ProgressFn& progress = nullptr);

}  // namespace ecgr1
