// convert.h — Hugging Face ECG-R1 checkpoint folder -> one .ecgr1 file.
//
// Reads config.json, tokenizer.json, generation_config.json (optional),
// preprocessor_config.json (optional) and the safetensors shards; checks every
// tensor against the tensor table (missing, extra and mis-shaped tensors are
// named); writes matrices in the requested type and 1-D tensors (norms,
// biases) in f32. The output appears atomically or not at all.
#pragma once

#include <cstdint>
#include <string>

#include "base/dtype.h"
#include "format/ecgr1_file.h"

namespace ecgr1 {

struct ConvertOptions {
  DType type = DType::kBF16;  // for matrices: kF32 or kBF16
  bool random_weights = false;  // label the result as a random-weight test model
  // ECG-CoCa torch.save checkpoint: when set, model.ecg_tower.<x> is taken
  // from its state_dict's module.ecg.<x> (f32) instead of the safetensors.
  std::string ecg_tower_pt;
  ProgressFn progress;
};

struct ConvertSummary {
  size_t tensors = 0;
  uint64_t bytes = 0;
};

extern const char* const kConverterVersion;

ConvertSummary ConvertCheckpoint(const std::string& dir, const std::string& out, const ConvertOptions& opt);

}  // namespace ecgr1
