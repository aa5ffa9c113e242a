// config.h — the model's hyper-parameters, read from Hugging Face config.json.
//
// One parser for both paths: convert-weights reads the checkpoint's
// config.json, and the .ecgr1 file stores that same JSON (metadata key
// "hf_config"), which the loader parses again with FromHfConfig. Validate()
// rejects anything our engine cannot run, naming the key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecgr1 {

struct TextConfig {
  int64_t hidden = 0;        // d
  int64_t layers = 0;
  int64_t heads = 0;         // query heads
  int64_t kv_heads = 0;      // key/value heads (GQA)
  int64_t head_dim = 0;
  int64_t intermediate = 0;  // SwiGLU width
  int64_t vocab = 0;         // rows of embed_tokens and lm_head
  double rms_eps = 1e-6;
  double rope_theta = 5e6;
  int64_t mrope_section[3] = {0, 0, 0};  // (t, h, w) frequency slots
  bool mrope_interleaved = true;
  bool tie_word_embeddings = false;
};

struct VisionConfig {
  int64_t depth = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t intermediate = 0;
  int64_t in_channels = 3;
  int64_t patch = 16;
  int64_t temporal_patch = 2;
  int64_t merge = 2;
  int64_t out_hidden = 0;
  int64_t num_position_embeddings = 0;
  std::vector<int64_t> deepstack_indexes;
};

// The ECG-CoCa tower (open_clip ecg_cfg) and its projector.
struct EcgConfig {
  int64_t width = 0;
  int64_t layers = 0;
  int64_t head_width = 64;
  int64_t patch = 50;
  int64_t leads = 12;
  int64_t seq_length = 5000;
  std::string projector_type;  // "mlp2x_gelu"
  int64_t tokens() const { return seq_length / patch + 1; }  // CLS + patches
};

struct SpecialTokenIds {
  int32_t image = 151655, video = 151656, vision_start = 151652, vision_end = 151653;
  int32_t ecg_pad = 151669;
};

struct ModelConfig {
  TextConfig text;
  VisionConfig vision;
  EcgConfig ecg;
  SpecialTokenIds ids;
  bool has_vision = false;
  bool has_ecg = false;

  // Parses config.json of a Qwen3-VL / ECG-R1 checkpoint. `source` names the
  // file in errors. Accepts the transformers 4.57 (rope_scaling, rope_theta)
  // and >= 5 (rope_parameters) layouts. Calls Validate().
  static ModelConfig FromHfConfig(const nlohmann::json& j, const std::string& source);
  void Validate(const std::string& source) const;
};

}  // namespace ecgr1
