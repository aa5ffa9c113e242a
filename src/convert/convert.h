// convert.h — Hugging Face ECG-R1 checkpoint folder -> one .ecgr1 file.
//
// Reads config.json, tokenizer.json, generation_config.json (optional),
// preprocessor_config.json (optional) and the safetensors shards; checks every
// tensor against the tensor table (missing, extra and mis-shaped tensors are
// named); stores each tensor in the type StoredType() picks for the requested
// one (norms and biases f32; see there). The output appears atomically or not
// at all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/dtype.h"
#include "base/tensor.h"
#include "format/ecgr1_file.h"
#include "model/tensor_table.h"

namespace ecgr1 {

struct ConvertOptions {
  DType type = DType::kBF16;  // requested weight type: kF32, kBF16, kQ8 or kQ4 (see StoredType)
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

// The storage policy: the type tensor `e` (actual shape `shape`) is stored in
// when weight type `requested` (f32, bf16, q8 or q4) is asked for. The one
// place this is decided; convert-weights and `bench --synthetic` both use it.
//   - vectors (norms, biases, the ECG class embedding): f32, always;
//   - requested f32 or bf16: every matrix in that type;
//   - requested q8 or q4:
//       * text decoder layer matrices (q/k/v/o_proj, gate/up/down_proj) and
//         the token embedding (model.language_model.embed_tokens): requested;
//       * lm_head: q8, for q8 and q4 alike (the logits are the most sensitive
//         output; llama.cpp keeps its output matrix at higher precision too).
//         With tied embeddings the one shared matrix is lm_head: q8;
//       * the vision encoder, the ECG tower and the ECG projector: bf16 (they
//         run once per request; accuracy first);
//       * any matrix whose shape does not fit a tiled type (not 2-D, or
//         columns not a multiple of 32): bf16.
DType StoredType(const ExpectedTensor& e, const std::vector<uint64_t>& shape, DType requested,
                 bool tied_embeddings = false);

// Writes `src` (f32, f16 or bf16) into `dst` in type `to` (f32, bf16, q8 or
// q4; a q8/q4 tensor must be 2-D with whole 32-column blocks). dst holds
// TensorBytes(to, src.shape) bytes. Parallel with OpenMP.
void ConvertTensor(const TensorView& src, DType to, uint8_t* dst);

ConvertSummary ConvertCheckpoint(const std::string& dir, const std::string& out, const ConvertOptions& opt);

}  // namespace ecgr1
