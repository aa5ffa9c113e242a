#include "model/tensor_table.h"

namespace ecgr1 {
namespace {

using U = uint64_t;

struct Builder {
  std::vector<ExpectedTensor> out;
  void M(const std::string& n, std::vector<U> s, bool used = true) {
    out.push_back({n, std::move(s), TensorRole::kMatrix, used});
  }
  void V(const std::string& n, U size, bool used = true) { out.push_back({n, {size}, TensorRole::kVector, used}); }
  // A LayerNorm's weight and bias.
  void LN(const std::string& n, U size, bool used = true) {
    V(n + ".weight", size, used);
    V(n + ".bias", size, used);
  }
  // A Linear with bias: weight [out, in], bias [out].
  void Linear(const std::string& n, U out_f, U in_f) {
    M(n + ".weight", {out_f, in_f});
    V(n + ".bias", out_f);
  }
};

}  // namespace

std::vector<ExpectedTensor> ExpectedTensors(const ModelConfig& c) {
  Builder b;
  const TextConfig& t = c.text;
  const U d = t.hidden, hd = t.head_dim;
  const std::string lm = "model.language_model.";
  b.M(lm + "embed_tokens.weight", {U(t.vocab), d});
  for (int64_t i = 0; i < t.layers; ++i) {
    const std::string p = lm + "layers." + std::to_string(i) + ".";
    b.V(p + "input_layernorm.weight", d);
    b.M(p + "self_attn.q_proj.weight", {U(t.heads) * hd, d});
    b.M(p + "self_attn.k_proj.weight", {U(t.kv_heads) * hd, d});
    b.M(p + "self_attn.v_proj.weight", {U(t.kv_heads) * hd, d});
    b.M(p + "self_attn.o_proj.weight", {d, U(t.heads) * hd});
    b.V(p + "self_attn.q_norm.weight", hd);
    b.V(p + "self_attn.k_norm.weight", hd);
    b.V(p + "post_attention_layernorm.weight", d);
    b.M(p + "mlp.gate_proj.weight", {U(t.intermediate), d});
    b.M(p + "mlp.up_proj.weight", {U(t.intermediate), d});
    b.M(p + "mlp.down_proj.weight", {d, U(t.intermediate)});
  }
  b.V(lm + "norm.weight", d);
  if (!t.tie_word_embeddings) b.M("lm_head.weight", {U(t.vocab), d});

  if (c.has_vision) {
    const VisionConfig& v = c.vision;
    const U w = v.hidden, merged = w * U(v.merge) * U(v.merge);
    const std::string vp = "model.visual.";
    b.M(vp + "patch_embed.proj.weight", {w, U(v.in_channels), U(v.temporal_patch), U(v.patch), U(v.patch)});
    b.V(vp + "patch_embed.proj.bias", w);
    b.M(vp + "pos_embed.weight", {U(v.num_position_embeddings), w});
    for (int64_t i = 0; i < v.depth; ++i) {
      const std::string p = vp + "blocks." + std::to_string(i) + ".";
      b.LN(p + "norm1", w);
      b.LN(p + "norm2", w);
      b.Linear(p + "attn.qkv", 3 * w, w);
      b.Linear(p + "attn.proj", w, w);
      b.Linear(p + "mlp.linear_fc1", U(v.intermediate), w);
      b.Linear(p + "mlp.linear_fc2", w, U(v.intermediate));
    }
    b.LN(vp + "merger.norm", w);
    b.Linear(vp + "merger.linear_fc1", merged, merged);
    b.Linear(vp + "merger.linear_fc2", U(v.out_hidden), merged);
    for (size_t k = 0; k < v.deepstack_indexes.size(); ++k) {
      const std::string p = vp + "deepstack_merger_list." + std::to_string(k) + ".";
      b.LN(p + "norm", merged);
      b.Linear(p + "linear_fc1", merged, merged);
      b.Linear(p + "linear_fc2", U(v.out_hidden), merged);
    }
  }

  if (c.has_ecg) {
    const EcgConfig& e = c.ecg;
    const U w = e.width;
    const std::string ep = "model.ecg_tower.";
    b.M(ep + "conv1.weight", {w, U(e.leads), U(e.patch)});
    b.V(ep + "class_embedding", w);
    b.M(ep + "positional_embedding", {U(e.tokens()), w});
    b.LN(ep + "ln_pre", w);
    for (int64_t i = 0; i < e.layers; ++i) {
      const std::string p = ep + "transformer.resblocks." + std::to_string(i) + ".";
      b.LN(p + "ln_1", w);
      b.M(p + "attn.in_proj_weight", {3 * w, w});
      b.V(p + "attn.in_proj_bias", 3 * w);
      b.Linear(p + "attn.out_proj", w, w);
      b.LN(p + "ln_2", w);
      b.Linear(p + "mlp.c_fc", 4 * w, w);
      b.Linear(p + "mlp.c_proj", w, 4 * w);
    }
    // Present in the released checkpoint but not applied by ECG-R1.
    b.LN(ep + "ln_post", w, false);
    // proj's output width is open_clip's embed_dim: not in the config, so its
    // shape is checked only for the leading dimension (see convert).
    b.out.push_back({ep + "proj", {w, 0}, TensorRole::kMatrix, false});
    b.Linear("model.ecg_projector.0", U(t.hidden), w);
    b.Linear("model.ecg_projector.2", U(t.hidden), U(t.hidden));
  }
  return b.out;
}

TensorPart PartOf(const std::string& name) {
  auto starts = [&](const char* p) { return name.rfind(p, 0) == 0; };
  auto ends = [&](const char* s) {
    const size_t n = std::char_traits<char>::length(s);
    return name.size() >= n && name.compare(name.size() - n, n, s) == 0;
  };
  if (name == "model.language_model.embed_tokens.weight") return TensorPart::kEmbedding;
  if (name == "lm_head.weight") return TensorPart::kLmHead;
  if (name == "model.language_model.norm.weight") return TensorPart::kTextVector;
  if (starts("model.language_model.layers.")) {
    for (const char* m : {".self_attn.q_proj.weight", ".self_attn.k_proj.weight", ".self_attn.v_proj.weight",
                          ".self_attn.o_proj.weight", ".mlp.gate_proj.weight", ".mlp.up_proj.weight",
                          ".mlp.down_proj.weight"})
      if (ends(m)) return TensorPart::kTextLayerMatrix;
    return TensorPart::kTextVector;
  }
  if (starts("model.visual.")) return TensorPart::kVision;
  if (starts("model.ecg_tower.")) return TensorPart::kEcgTower;
  if (starts("model.ecg_projector.")) return TensorPart::kEcgProjector;
  return TensorPart::kOther;
}

}  // namespace ecgr1
