#include "model/weights.h"

#include <set>

#include "base/error.h"
#include "model/tensor_table.h"

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
  const bool ok = e.role == TensorRole::kVector
                      ? t->dtype == DType::kF32
                      : (t->dtype == DType::kF32 || t->dtype == DType::kBF16 || t->dtype == DType::kF16);
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

TextWeights BindTextWeights(const ModelConfig& c, const TensorLookup& find, const std::string& source) {
  // Index the table by name once.
  std::vector<ExpectedTensor> table = ExpectedTensors(c);
  auto spec = [&](const std::string& name) -> const ExpectedTensor& {
    for (const ExpectedTensor& e : table)
      if (e.name == name) return e;
    Fail(ExitCode::kInternal, "tensor table has no %s", name.c_str());
  };
  auto mat = [&](const std::string& n) { return AsMatrix(Get(find, spec(n), source)); };
  auto vec = [&](const std::string& n) { return Get(find, spec(n), source).as<float>(); };

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

}  // namespace ecgr1
