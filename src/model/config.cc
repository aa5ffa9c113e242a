#include "model/config.h"

#include "base/error.h"

namespace ecgr1 {
namespace {

using nlohmann::json;

const json* Child(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

int64_t GetInt(const json& j, const char* key, const std::string& where, const std::string& source) {
  const json* v = Child(j, key);
  if (v == nullptr || !v->is_number_integer())
    Fail(ExitCode::kBadModel, "%s: config: %s%s missing or not an integer", source.c_str(), where.c_str(), key);
  return v->get<int64_t>();
}

int64_t GetIntOr(const json& j, const char* key, int64_t def, const std::string& where,
                 const std::string& source) {
  return Child(j, key) == nullptr ? def : GetInt(j, key, where, source);
}

double GetNumberOr(const json& j, const char* key, double def, const std::string& where,
                   const std::string& source) {
  const json* v = Child(j, key);
  if (v == nullptr) return def;
  if (!v->is_number())
    Fail(ExitCode::kBadModel, "%s: config: %s%s is not a number", source.c_str(), where.c_str(), key);
  return v->get<double>();
}

void Require(bool ok, const std::string& source, const char* what) {
  if (!ok) Fail(ExitCode::kBadModel, "%s: config: %s", source.c_str(), what);
}

// open_clip model configs we know by name (ecg_model_config), used when the
// config carries no inline ecg_tower_model_cfg.
bool KnownEcgModel(const std::string& name, EcgConfig* e) {
  if (name == "coca_ViT-B-32") {
    e->width = 768;
    e->layers = 12;
    e->head_width = 64;
    e->patch = 50;
    e->leads = 12;
    e->seq_length = 5000;
    return true;
  }
  return false;
}

}  // namespace

ModelConfig ModelConfig::FromHfConfig(const json& j, const std::string& source) {
  if (!j.is_object()) Fail(ExitCode::kBadModel, "%s: config is not a JSON object", source.c_str());
  ModelConfig c;
  const json* tc = Child(j, "text_config");
  if (tc == nullptr || !tc->is_object())
    Fail(ExitCode::kBadModel, "%s: config: text_config missing (not a Qwen3-VL config)", source.c_str());
  const std::string tw = "text_config.";
  TextConfig& t = c.text;
  t.hidden = GetInt(*tc, "hidden_size", tw, source);
  t.layers = GetInt(*tc, "num_hidden_layers", tw, source);
  t.heads = GetInt(*tc, "num_attention_heads", tw, source);
  t.kv_heads = GetIntOr(*tc, "num_key_value_heads", t.heads, tw, source);
  t.head_dim = GetIntOr(*tc, "head_dim", t.heads > 0 ? t.hidden / t.heads : 0, tw, source);
  t.intermediate = GetInt(*tc, "intermediate_size", tw, source);
  t.vocab = GetInt(*tc, "vocab_size", tw, source);
  t.rms_eps = GetNumberOr(*tc, "rms_norm_eps", 1e-6, tw, source);
  // transformers 4.57: rope_theta + rope_scaling; >= 5: rope_parameters holds both.
  const json* rope = Child(*tc, "rope_scaling");
  const json* rp = Child(*tc, "rope_parameters");
  if (rope == nullptr || rope->is_null()) rope = rp;
  t.rope_theta = GetNumberOr(*tc, "rope_theta", 5e6, tw, source);
  if (rp != nullptr && rp->is_object()) t.rope_theta = GetNumberOr(*rp, "rope_theta", t.rope_theta, tw, source);
  if (rope == nullptr || !rope->is_object())
    Fail(ExitCode::kBadModel, "%s: config: text_config.rope_scaling (mrope_section) missing", source.c_str());
  const json* sec = Child(*rope, "mrope_section");
  if (sec == nullptr || !sec->is_array() || sec->size() != 3)
    Fail(ExitCode::kBadModel, "%s: config: rope_scaling.mrope_section must be 3 integers", source.c_str());
  for (int i = 0; i < 3; ++i) {
    if (!(*sec)[i].is_number_integer())
      Fail(ExitCode::kBadModel, "%s: config: rope_scaling.mrope_section must be 3 integers", source.c_str());
    t.mrope_section[i] = (*sec)[i].get<int64_t>();
  }
  const json* inter = Child(*rope, "mrope_interleaved");
  t.mrope_interleaved = inter != nullptr && inter->is_boolean() ? inter->get<bool>() : true;
  const json* rt = Child(*rope, "rope_type");
  if (rt != nullptr && !(rt->is_string() && (rt->get<std::string>() == "default" || rt->get<std::string>() == "mrope")))
    Fail(ExitCode::kBadModel, "%s: config: rope_type %s is not supported (only default)", source.c_str(),
         rt->dump().c_str());
  const json* tie = Child(j, "tie_word_embeddings");
  t.tie_word_embeddings = tie != nullptr && tie->is_boolean() && tie->get<bool>();
  const json* act = Child(*tc, "hidden_act");
  if (act != nullptr && !(act->is_string() && act->get<std::string>() == "silu"))
    Fail(ExitCode::kBadModel, "%s: config: text_config.hidden_act must be silu", source.c_str());
  const json* bias = Child(*tc, "attention_bias");
  if (bias != nullptr && bias->is_boolean() && bias->get<bool>())
    Fail(ExitCode::kBadModel, "%s: config: attention_bias true is not supported", source.c_str());

  if (const json* vc = Child(j, "vision_config"); vc != nullptr && vc->is_object()) {
    const std::string vw = "vision_config.";
    VisionConfig& v = c.vision;
    c.has_vision = true;
    v.depth = GetInt(*vc, "depth", vw, source);
    v.hidden = GetInt(*vc, "hidden_size", vw, source);
    v.heads = GetInt(*vc, "num_heads", vw, source);
    v.intermediate = GetInt(*vc, "intermediate_size", vw, source);
    v.in_channels = GetIntOr(*vc, "in_channels", 3, vw, source);
    v.patch = GetIntOr(*vc, "patch_size", 16, vw, source);
    v.temporal_patch = GetIntOr(*vc, "temporal_patch_size", 2, vw, source);
    v.merge = GetIntOr(*vc, "spatial_merge_size", 2, vw, source);
    v.out_hidden = GetInt(*vc, "out_hidden_size", vw, source);
    v.num_position_embeddings = GetInt(*vc, "num_position_embeddings", vw, source);
    const json* ds = Child(*vc, "deepstack_visual_indexes");
    if (ds != nullptr) {
      if (!ds->is_array() || ds->size() > 64)
        Fail(ExitCode::kBadModel, "%s: config: vision_config.deepstack_visual_indexes must be a list", source.c_str());
      for (const json& x : *ds) {
        if (!x.is_number_integer())
          Fail(ExitCode::kBadModel, "%s: config: deepstack_visual_indexes must be integers", source.c_str());
        v.deepstack_indexes.push_back(x.get<int64_t>());
      }
    }
    const json* vact = Child(*vc, "hidden_act");
    if (vact != nullptr && !(vact->is_string() && vact->get<std::string>() == "gelu_pytorch_tanh"))
      Fail(ExitCode::kBadModel, "%s: config: vision_config.hidden_act must be gelu_pytorch_tanh", source.c_str());
  }
  c.ids.image = static_cast<int32_t>(GetIntOr(j, "image_token_id", c.ids.image, "", source));
  c.ids.video = static_cast<int32_t>(GetIntOr(j, "video_token_id", c.ids.video, "", source));
  c.ids.vision_start = static_cast<int32_t>(GetIntOr(j, "vision_start_token_id", c.ids.vision_start, "", source));
  c.ids.vision_end = static_cast<int32_t>(GetIntOr(j, "vision_end_token_id", c.ids.vision_end, "", source));

  if (Child(j, "ecg_token_id") != nullptr) {
    c.has_ecg = true;
    c.ids.ecg_pad = static_cast<int32_t>(GetInt(j, "ecg_token_id", "", source));
    EcgConfig& e = c.ecg;
    const json* pt = Child(j, "ecg_projector_type");
    e.projector_type = pt != nullptr && pt->is_string() ? pt->get<std::string>() : "mlp2x_gelu";
    const json* inline_cfg = Child(j, "ecg_tower_model_cfg");
    const json* ecfg = inline_cfg != nullptr ? Child(*inline_cfg, "ecg_cfg") : nullptr;
    if (ecfg != nullptr && ecfg->is_object()) {
      const std::string ew = "ecg_tower_model_cfg.ecg_cfg.";
      e.width = GetInt(*ecfg, "width", ew, source);
      e.layers = GetInt(*ecfg, "layers", ew, source);
      e.head_width = GetIntOr(*ecfg, "head_width", 64, ew, source);
      e.patch = GetIntOr(*ecfg, "patch_size", 50, ew, source);
      e.leads = GetIntOr(*ecfg, "lead_num", 12, ew, source);
      e.seq_length = GetIntOr(*ecfg, "seq_length", 5000, ew, source);
    } else {
      const json* name = Child(j, "ecg_model_config");
      const std::string n = name != nullptr && name->is_string() ? name->get<std::string>() : "coca_ViT-B-32";
      if (!KnownEcgModel(n, &e))
        Fail(ExitCode::kBadModel, "%s: config: unknown ecg_model_config \"%s\" and no ecg_tower_model_cfg",
             source.c_str(), n.c_str());
    }
    const int64_t hs = GetIntOr(j, "ecg_hidden_size", e.width, "", source);
    if (hs != e.width)
      Fail(ExitCode::kBadModel, "%s: config: ecg_hidden_size %lld differs from the tower width %lld",
           source.c_str(), static_cast<long long>(hs), static_cast<long long>(e.width));
  }
  c.Validate(source);
  return c;
}

void ModelConfig::Validate(const std::string& source) const {
  const TextConfig& t = text;
  // Bounds keep every size product far from overflow and allocations sane.
  auto in = [](int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; };
  Require(in(t.hidden, 1, 65536), source, "text_config.hidden_size out of range");
  Require(in(t.layers, 1, 1024), source, "text_config.num_hidden_layers out of range");
  Require(in(t.heads, 1, 1024) && in(t.kv_heads, 1, 1024), source, "attention head counts out of range");
  Require(t.heads % t.kv_heads == 0, source, "num_attention_heads must be a multiple of num_key_value_heads");
  Require(in(t.head_dim, 2, 1024) && t.head_dim % 2 == 0, source, "text_config.head_dim must be even, 2..1024");
  Require(in(t.intermediate, 1, 1 << 20), source, "text_config.intermediate_size out of range");
  Require(in(t.vocab, 1, 1 << 24), source, "text_config.vocab_size out of range");
  Require(t.rms_eps > 0 && t.rms_eps < 1, source, "text_config.rms_norm_eps out of range");
  Require(t.rope_theta > 1, source, "rope_theta must be > 1");
  for (int i = 0; i < 3; ++i) Require(in(t.mrope_section[i], 0, 1024), source, "mrope_section out of range");
  Require(t.mrope_section[0] + t.mrope_section[1] + t.mrope_section[2] == t.head_dim / 2, source,
          "mrope_section must sum to head_dim/2");
  Require(t.mrope_interleaved, source, "only interleaved MRoPE (mrope_interleaved true) is supported");
  if (has_vision) {
    const VisionConfig& v = vision;
    Require(in(v.depth, 1, 1024) && in(v.hidden, 1, 65536) && in(v.heads, 1, 1024), source,
            "vision_config sizes out of range");
    Require(v.hidden % v.heads == 0 && (v.hidden / v.heads) % 4 == 0, source,
            "vision hidden_size / num_heads must be a multiple of 4");
    Require(in(v.intermediate, 1, 1 << 20) && v.out_hidden == t.hidden, source,
            "vision_config.out_hidden_size must equal text hidden_size");
    Require(in(v.patch, 1, 256) && in(v.temporal_patch, 1, 16) && in(v.merge, 1, 16) && in(v.in_channels, 1, 16),
            source, "vision patch sizes out of range");
    Require(in(v.num_position_embeddings, 1, 1 << 20), source, "num_position_embeddings out of range");
    for (int64_t d : v.deepstack_indexes) Require(in(d, 0, v.depth - 1), source, "deepstack index out of range");
    Require(static_cast<int64_t>(v.deepstack_indexes.size()) <= t.layers, source, "more deepstack taps than layers");
  }
  if (has_ecg) {
    const EcgConfig& e = ecg;
    Require(in(e.width, 1, 65536) && in(e.layers, 1, 1024) && in(e.head_width, 1, 4096), source,
            "ECG tower sizes out of range");
    Require(e.width % e.head_width == 0, source, "ECG tower width must be a multiple of head_width");
    Require(in(e.patch, 1, 100000) && in(e.leads, 1, 64) && in(e.seq_length, 1, 1 << 22) &&
                e.seq_length % e.patch == 0,
            source, "ECG tower patch/leads/seq_length out of range");
    Require(e.projector_type == "mlp2x_gelu", source, "only ecg_projector_type mlp2x_gelu is supported");
    Require(in(ids.ecg_pad, 0, t.vocab - 1), source, "ecg_token_id outside the vocabulary");
  }
}

}  // namespace ecgr1
