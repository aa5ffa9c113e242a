#include "engine/model.h"

#include <algorithm>

#include "base/error.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {

GenerationDefaults GenerationDefaults::FromJson(const nlohmann::json& j, const std::string& source) {
  GenerationDefaults g;
  if (!j.is_object()) Fail(ExitCode::kBadModel, "%s: generation config is not a JSON object", source.c_str());
  auto add_eos = [&](const nlohmann::json& v) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > (1 << 24))
      Fail(ExitCode::kBadModel, "%s: generation config: eos_token_id must be token ids", source.c_str());
    const int32_t id = static_cast<int32_t>(v.get<int64_t>());
    if (std::find(g.eos_ids.begin(), g.eos_ids.end(), id) == g.eos_ids.end()) g.eos_ids.push_back(id);
  };
  if (j.contains("eos_token_id")) {
    const nlohmann::json& e = j["eos_token_id"];
    if (e.is_array()) {
      if (e.size() > 64) Fail(ExitCode::kBadModel, "%s: generation config: too many eos ids", source.c_str());
      for (const nlohmann::json& v : e) add_eos(v);
    } else {
      add_eos(e);
    }
  }
  auto num = [&](const char* key, float* out) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_number()) Fail(ExitCode::kBadModel, "%s: generation config: %s is not a number", source.c_str(), key);
    *out = j[key].get<float>();
  };
  num("temperature", &g.temperature);
  num("top_p", &g.top_p);
  num("repetition_penalty", &g.repetition_penalty);
  if (j.contains("top_k") && j["top_k"].is_number_integer()) g.top_k = j["top_k"].get<int>();
  return g;
}

nlohmann::json GenerationDefaults::ToJson() const {
  return {{"eos_token_id", eos_ids},
          {"temperature", temperature},
          {"top_p", top_p},
          {"top_k", top_k},
          {"repetition_penalty", repetition_penalty}};
}

Model::Model(const std::string& path) : file_(path) {
  const nlohmann::json& meta = file_.metadata();
  auto section = [&](const char* key) -> const nlohmann::json& {
    if (!meta.is_object() || !meta.contains(key))
      Fail(ExitCode::kBadModel, "%s: metadata has no \"%s\" section", path.c_str(), key);
    return meta[key];
  };
  config_ = ModelConfig::FromHfConfig(section("hf_config"), path);
  tokenizer_ = Tokenizer::FromJson(section("tokenizer"), path);
  generation_ = GenerationDefaults::FromJson(section("generation"), path);
  if (generation_.eos_ids.empty()) {
    const int32_t im_end = tokenizer_.TokenId("<|im_end|>");
    if (im_end >= 0) generation_.eos_ids.push_back(im_end);
  }
  for (int32_t id : generation_.eos_ids)
    if (id >= config_.text.vocab)
      Fail(ExitCode::kBadModel, "%s: eos id %d is outside the vocabulary", path.c_str(), id);
  if (tokenizer_.size() > config_.text.vocab)
    Fail(ExitCode::kBadModel, "%s: the tokenizer has %d ids but the model only %lld rows", path.c_str(),
         tokenizer_.size(), static_cast<long long>(config_.text.vocab));
  if (meta.contains("provenance") && meta["provenance"].is_object()) {
    const nlohmann::json& p = meta["provenance"];
    random_weights_ = p.contains("random_weights") && p["random_weights"].is_boolean() &&
                      p["random_weights"].get<bool>();
  }
  auto find = [this](const std::string& n) { return file_.Find(n); };
  std::vector<std::string> names;
  for (const TensorView& t : file_.tensors()) names.push_back(t.name);
  CheckAllTensors(config_, find, names, path);
  text_ = BindTextWeights(config_, find, path);
  if (config_.has_ecg) ecg_ = BindEcgWeights(config_, find, path);
  if (config_.has_vision) vision_ = BindVisionWeights(config_, find, path);
  // A q8 / q4 file already trades exactness for speed (int8 activations), so
  // its bf16 vision encoder may round activations to bf16 too, for
  // AVX512-BF16. The ECG tower stays f32: it is cheap (101 tokens), and on
  // the golden cases its bf16 rounding alone flipped a q8 top-1 token.
  if (!text_.layers.empty() && quant::IsTiled(text_.layers[0].q.type)) AllowBf16Activations();
}

void Model::AllowBf16Activations() {
  auto allow = [](WeightMatrix& m) { m.bf16_activations = true; };
  allow(vision_.patch_embed);
  for (VisionBlockWeights& b : vision_.blocks) {
    allow(b.qkv);
    allow(b.proj);
    allow(b.fc1);
    allow(b.fc2);
  }
  allow(vision_.merger.fc1);
  allow(vision_.merger.fc2);
  for (MergerWeights& m : vision_.deepstack) {
    allow(m.fc1);
    allow(m.fc2);
  }
}

}  // namespace ecgr1
