#include "model/weights.h"

#include <map>
#include <set>

#include "base/error.h"
#include "model/tensor_table.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {
namespace {

bool ShapeMatches(const std::vector<uint64_t>& want, const std::vector<uint64_t>& got) {
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i)
    if (want[i] != 0 && want[i] != got[i]) return false;  // 0 = any (see tensor_table.cc)
  return true;
}

const TensorView& Get(const TensorLookup& find, const ExpectedTensor& e, const std::string& source) {
  const TensorView* t = find(e.name);
  if (t == nullptr) Fail(ExitCode::kBadModel, "%s: tensor %s is missing", source.c_str(), e.name.c_str());
  if (!ShapeMatches(e.shape, t->shape))
    Fail(ExitCode::kBadModel, "%s: tensor %s has shape %s, expected %s", source.c_str(), e.name.c_str(),
         ShapeString(t->shape).c_str(), ShapeString(e.shape).c_str());
  // Matrices may be f32, bf16, f16, or (2-D ones only, not the flattened
  // N-D conv weights) q8 / q4; vectors are f32.
  if (quant::IsTiled(t->dtype) && e.role == TensorRole::kMatrix && (e.shape.size() != 2 || t->shape.size() != 2))
    Fail(ExitCode::kBadModel, "%s: tensor %s has dtype %s, which is only allowed for 2-D matrices (it has %zu dimensions)",
         source.c_str(), e.name.c_str(), Info(t->dtype).name, e.shape.size());
  const bool ok = e.role == TensorRole::kVector
                      ? t->dtype == DType::kF32
                      : (t->dtype == DType::kF32 || t->dtype == DType::kBF16 || t->dtype == DType::kF16 ||
                         quant::IsTiled(t->dtype));
  if (!ok)
    Fail(ExitCode::kBadModel, "%s: tensor %s has dtype %s, which this engine cannot use there", source.c_str(),
         e.name.c_str(), Info(t->dtype).name);
  if (reinterpret_cast<uintptr_t>(t->data) % 4 != 0)
    Fail(ExitCode::kBadModel, "%s: tensor %s is not 4-byte aligned", source.c_str(), e.name.c_str());
  return *t;
}

}  // namespace

void CheckAllTensors(const ModelConfig& c, const TensorLookup& find, const std::vector<std::string>& names,
                     const std::string& source) {
  std::set<std::string> expected;
  for (const ExpectedTensor& e : ExpectedTensors(c)) {
    Get(find, e, source);
    expected.insert(e.name);
  }
  for (const std::string& n : names)
    if (expected.count(n) == 0)
      Fail(ExitCode::kBadModel, "%s: unexpected tensor %s (not part of the ECG-R1 architecture)", source.c_str(),
           n.c_str());
}

namespace {

// Looks tensors up by name and checks them against the tensor table.
class Binder {
 public:
  Binder(const ModelConfig& c, const TensorLookup& find, const std::string& source)
      : table_(ExpectedTensors(c)), find_(find), source_(source) {
    for (size_t i = 0; i < table_.size(); ++i) index_[table_[i].name] = i;
  }
  WeightMatrix Mat(const std::string& n) const { return AsMatrix(Get(find_, Spec(n), source_)); }
  const float* Vec(const std::string& n) const { return Get(find_, Spec(n), source_).as<float>(); }

 private:
  const ExpectedTensor& Spec(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end()) Fail(ExitCode::kInternal, "tensor table has no %s", name.c_str());
    return table_[it->second];
  }
  std::vector<ExpectedTensor> table_;
  std::map<std::string, size_t> index_;
  const TensorLookup& find_;
  const std::string& source_;
};

}  // namespace

TextWeights BindTextWeights(const ModelConfig& c, const TensorLookup& find, const std::string& source) {
  const Binder b(c, find, source);
  auto mat = [&](const std::string& n) { return b.Mat(n); };
  auto vec = [&](const std::string& n) { return b.Vec(n); };

  TextWeights w;
  const std::string lm = "model.language_model.";
  w.embed = mat(lm + "embed_tokens.weight");
  for (int64_t i = 0; i < c.text.layers; ++i) {
    const std::string p = lm + "layers." + std::to_string(i) + ".";
    TextLayerWeights l;
    l.input_norm = vec(p + "input_layernorm.weight");
    l.q = mat(p + "self_attn.q_proj.weight");
    l.k = mat(p + "self_attn.k_proj.weight");
    l.v = mat(p + "self_attn.v_proj.weight");
    l.o = mat(p + "self_attn.o_proj.weight");
    l.q_norm = vec(p + "self_attn.q_norm.weight");
    l.k_norm = vec(p + "self_attn.k_norm.weight");
    l.post_norm = vec(p + "post_attention_layernorm.weight");
    l.gate = mat(p + "mlp.gate_proj.weight");
    l.up = mat(p + "mlp.up_proj.weight");
    l.down = mat(p + "mlp.down_proj.weight");
    w.layers.push_back(l);
  }
  w.final_norm = vec(lm + "norm.weight");
  w.lm_head = c.text.tie_word_embeddings ? w.embed : mat("lm_head.weight");
  return w;
}

EcgWeights BindEcgWeights(const ModelConfig& c, const TensorLookup& find, const std::string& source) {
  const Binder b(c, find, source);
  EcgWeights w;
  const std::string ep = "model.ecg_tower.";
  w.conv1 = b.Mat(ep + "conv1.weight");
  w.class_embedding = b.Vec(ep + "class_embedding");
  w.positional_embedding = b.Mat(ep + "positional_embedding");
  w.ln_pre_w = b.Vec(ep + "ln_pre.weight");
  w.ln_pre_b = b.Vec(ep + "ln_pre.bias");
  for (int64_t i = 0; i < c.ecg.layers; ++i) {
    const std::string p = ep + "transformer.resblocks." + std::to_string(i) + ".";
    EcgBlockWeights k;
    k.ln1_w = b.Vec(p + "ln_1.weight");
    k.ln1_b = b.Vec(p + "ln_1.bias");
    k.in_proj = b.Mat(p + "attn.in_proj_weight");
    k.in_proj_b = b.Vec(p + "attn.in_proj_bias");
    k.out_proj = b.Mat(p + "attn.out_proj.weight");
    k.out_proj_b = b.Vec(p + "attn.out_proj.bias");
    k.ln2_w = b.Vec(p + "ln_2.weight");
    k.ln2_b = b.Vec(p + "ln_2.bias");
    k.fc = b.Mat(p + "mlp.c_fc.weight");
    k.fc_b = b.Vec(p + "mlp.c_fc.bias");
    k.proj = b.Mat(p + "mlp.c_proj.weight");
    k.proj_b = b.Vec(p + "mlp.c_proj.bias");
    w.blocks.push_back(k);
  }
  w.proj0 = b.Mat("model.ecg_projector.0.weight");
  w.proj0_b = b.Vec("model.ecg_projector.0.bias");
  w.proj2 = b.Mat("model.ecg_projector.2.weight");
  w.proj2_b = b.Vec("model.ecg_projector.2.bias");
  return w;
}

VisionWeights BindVisionWeights(const ModelConfig& c, const TensorLookup& find, const std::string& source) {
  const Binder b(c, find, source);
  VisionWeights w;
  const std::string vp = "model.visual.";
  w.patch_embed = b.Mat(vp + "patch_embed.proj.weight");
  w.patch_embed_b = b.Vec(vp + "patch_embed.proj.bias");
  w.pos_embed = b.Mat(vp + "pos_embed.weight");
  for (int64_t i = 0; i < c.vision.depth; ++i) {
    const std::string p = vp + "blocks." + std::to_string(i) + ".";
    VisionBlockWeights k;
    k.norm1_w = b.Vec(p + "norm1.weight");
    k.norm1_b = b.Vec(p + "norm1.bias");
    k.qkv = b.Mat(p + "attn.qkv.weight");
    k.qkv_b = b.Vec(p + "attn.qkv.bias");
    k.proj = b.Mat(p + "attn.proj.weight");
    k.proj_b = b.Vec(p + "attn.proj.bias");
    k.norm2_w = b.Vec(p + "norm2.weight");
    k.norm2_b = b.Vec(p + "norm2.bias");
    k.fc1 = b.Mat(p + "mlp.linear_fc1.weight");
    k.fc1_b = b.Vec(p + "mlp.linear_fc1.bias");
    k.fc2 = b.Mat(p + "mlp.linear_fc2.weight");
    k.fc2_b = b.Vec(p + "mlp.linear_fc2.bias");
    w.blocks.push_back(k);
  }
  auto merger = [&](const std::string& p) {
    MergerWeights m;
    m.norm_w = b.Vec(p + "norm.weight");
    m.norm_b = b.Vec(p + "norm.bias");
    m.fc1 = b.Mat(p + "linear_fc1.weight");
    m.fc1_b = b.Vec(p + "linear_fc1.bias");
    m.fc2 = b.Mat(p + "linear_fc2.weight");
    m.fc2_b = b.Vec(p + "linear_fc2.bias");
    return m;
  };
  w.merger = merger(vp + "merger.");
  for (size_t k = 0; k < c.vision.deepstack_indexes.size(); ++k)
    w.deepstack.push_back(merger(vp + "deepstack_merger_list." + std::to_string(k) + "."));
  return w;
}

}  // namespace ecgr1
