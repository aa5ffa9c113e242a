// model.h — a loaded .ecgr1 model: read-only weights, config and tokenizer.
//
// One Model serves any number of Sessions (per-request state lives there).
// Weights stay in the file's mmap; loading copies nothing but the metadata.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "format/ecgr1_file.h"
#include "model/config.h"
#include "model/weights.h"
#include "text/tokenizer.h"

namespace ecgr1 {

// Defaults from the checkpoint's generation_config.json.
struct GenerationDefaults {
  std::vector<int32_t> eos_ids;  // stop ids
  float temperature = 0.7f, top_p = 0.8f, repetition_penalty = 1.0f;
  int top_k = 20;
  static GenerationDefaults FromJson(const nlohmann::json& j, const std::string& source);
  nlohmann::json ToJson() const;
};

class Model {
 public:
  explicit Model(const std::string& path);
  const std::string& path() const { return file_.path(); }
  const Ecgr1File& file() const { return file_; }
  const ModelConfig& config() const { return config_; }
  const Tokenizer& tokenizer() const { return tokenizer_; }
  const TextWeights& text_weights() const { return text_; }
  // The ECG tower and projector; only valid when config().has_ecg.
  const EcgWeights& ecg_weights() const { return ecg_; }
  // The vision encoder; only valid when config().has_vision.
  const VisionWeights& vision_weights() const { return vision_; }
  const GenerationDefaults& generation() const { return generation_; }
  // True for the tiny random-weight test models (metadata provenance.random_weights).
  bool random_weights() const { return random_weights_; }

 private:
  // Lets the bf16 matrices of the vision encoder use the AVX512-BF16 path
  // (see WeightMatrix::bf16_activations).
  void AllowBf16Activations();

  Ecgr1File file_;
  ModelConfig config_;
  Tokenizer tokenizer_;
  TextWeights text_;
  EcgWeights ecg_;
  VisionWeights vision_;
  GenerationDefaults generation_;
  bool random_weights_ = false;
};

}  // namespace ecgr1
