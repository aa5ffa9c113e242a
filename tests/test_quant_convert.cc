// Tests of convert-weights --type q8 / q4 and of the synthetic models of
// `bench --synthetic`: the per-tensor storage policy (convert's StoredType),
// the round trip of every quantized tensor of the golden checkpoint against
// its source, the loader's checks of quantized tensors, and the synthetic
// model's shapes, types, tokenizer and clean-up.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "base/bf16.h"
#include "base/error.h"
#include "convert/convert.h"
#include "convert/synthetic.h"
#include "engine/model.h"
#include "engine/session.h"
#include "format/ecgr1_file.h"
#include "golden.h"
#include "io/json.h"
#include "io/safetensors.h"
#include "model/tensor_table.h"
#include "model/weights.h"
#include "quant/tiled_quant.h"
#include "test_util.h"
#include "text/prompt.h"

namespace ecgr1::test {
namespace {

// The policy, written out independently of StoredType.
DType ExpectedType(const ExpectedTensor& e, DType requested) {
  if (e.role == TensorRole::kVector) return DType::kF32;
  if (!quant::IsTiled(requested)) return requested;
  switch (PartOf(e.name)) {
    case TensorPart::kTextLayerMatrix:
    case TensorPart::kEmbedding:
      return requested;
    case TensorPart::kLmHead:
      return DType::kQ8;
    default:
      return DType::kBF16;
  }
}

float SourceElement(const TensorView& t, uint64_t i) {
  uint16_t h;
  float f;
  switch (t.dtype) {
    case DType::kF32:
      std::memcpy(&f, t.data + 4 * i, 4);
      return f;
    case DType::kBF16:
      std::memcpy(&h, t.data + 2 * i, 2);
      return Bf16ToF32(h);
    default:
      std::memcpy(&h, t.data + 2 * i, 2);
      return F16ToF32(h);
  }
}

ModelConfig GoldenConfig() {
  const std::string path = GoldenDir() + "/model/config.json";
  return ModelConfig::FromHfConfig(ParseJson(ReadSmallFile(path, ExitCode::kBadModel, 1 << 20), path, ExitCode::kBadModel),
                                   path);
}

}  // namespace

TEST_CASE("StoredType: the per-tensor storage policy", "[convert][quant]") {
  const ModelConfig c = GoldenConfig();
  size_t quantized = 0;
  for (const ExpectedTensor& e : ExpectedTensors(c)) {
    std::vector<uint64_t> shape = e.shape;
    if (shape.size() == 2 && shape[1] == 0) shape[1] = 24;  // ecg_tower.proj: any width
    for (DType t : {DType::kF32, DType::kBF16, DType::kQ8, DType::kQ4}) {
      INFO(e.name << " requested " << Info(t).name);
      CHECK(StoredType(e, shape, t) == ExpectedType(e, t));
      quantized += quant::IsTiled(StoredType(e, shape, t));
    }
  }
  CHECK(quantized > 0);
  const ExpectedTensor down{"model.language_model.layers.0.mlp.down_proj.weight", {64, 128}, TensorRole::kMatrix, true};
  CHECK(StoredType(down, {64, 128}, DType::kQ4) == DType::kQ4);
  CHECK(StoredType(down, {64, 48}, DType::kQ4) == DType::kBF16);       // columns not whole 32-blocks
  CHECK(StoredType(down, {64, 48}, DType::kQ8) == DType::kBF16);
  CHECK(StoredType(down, {4, 16, 64}, DType::kQ8) == DType::kBF16);    // not 2-D
  CHECK(StoredType(down, {64, 48}, DType::kBF16) == DType::kBF16);
  const ExpectedTensor embed{"model.language_model.embed_tokens.weight", {100, 64}, TensorRole::kMatrix, true};
  CHECK(StoredType(embed, {100, 64}, DType::kQ4) == DType::kQ4);
  CHECK(StoredType(embed, {100, 64}, DType::kQ4, /*tied_embeddings=*/true) == DType::kQ8);  // it is lm_head too
  const ExpectedTensor head{"lm_head.weight", {100, 64}, TensorRole::kMatrix, true};
  CHECK(StoredType(head, {100, 64}, DType::kQ4) == DType::kQ8);
  CHECK(StoredType(head, {100, 64}, DType::kQ8) == DType::kQ8);
  CHECK(StoredType(head, {100, 64}, DType::kF32) == DType::kF32);
  const ExpectedTensor norm{"model.language_model.norm.weight", {64}, TensorRole::kVector, true};
  CHECK(StoredType(norm, {64}, DType::kQ4) == DType::kF32);
  CHECK(StoredType(norm, {64}, DType::kBF16) == DType::kF32);
}

TEST_CASE("convert-weights q8 / q4: every tensor follows the policy and round-trips", "[convert][quant]") {
  const ModelConfig c = GoldenConfig();
  const SafetensorsCheckpoint src(GoldenDir() + "/model");
  TempDir dir;
  for (DType type : {DType::kQ8, DType::kQ4}) {
    INFO("type " << Info(type).name);
    const std::string path = dir.File(std::string("golden_") + Info(type).name + ".ecgr1");
    ConvertOptions opt;
    opt.type = type;
    const ConvertSummary sum = ConvertCheckpoint(GoldenDir() + "/model", path, opt);
    const Ecgr1File f(path);
    CHECK(f.metadata()["provenance"]["weight_type"] == Info(type).name);
    uint64_t bytes = 0;
    size_t tiled = 0;
    double worst = 0;
    for (const ExpectedTensor& e : ExpectedTensors(c)) {
      INFO(e.name);
      const TensorView* q = f.Find(e.name);
      const TensorView* s = src.Find(e.name);
      REQUIRE(q != nullptr);
      REQUIRE(s != nullptr);
      CHECK(q->dtype == ExpectedType(e, type));
      CHECK(q->shape == s->shape);
      uint64_t want = 0;
      REQUIRE(TensorBytes(q->dtype, q->shape, &want));
      CHECK(q->nbytes == want);
      bytes += q->nbytes;
      const uint64_t n = s->numel();
      if (q->dtype == DType::kF32) {
        for (uint64_t i = 0; i < n; ++i) REQUIRE(q->as<float>()[i] == SourceElement(*s, i));
      } else if (q->dtype == DType::kBF16) {
        for (uint64_t i = 0; i < n; ++i) REQUIRE(q->as<uint16_t>()[i] == F32ToBf16(SourceElement(*s, i)));
      } else {
        REQUIRE(quant::IsTiled(q->dtype));
        ++tiled;
        const size_t rows = q->shape[0], cols = q->shape[1];
        std::vector<float> row(cols);
        double err2 = 0, ref2 = 0;
        for (size_t r = 0; r < rows; ++r) {
          quant::DequantizeRow(q->dtype, q->data, cols, r, row.data());
          for (size_t k = 0; k < cols; ++k) {
            const double w = SourceElement(*s, r * cols + k);
            const double d = std::fabs(quant::Scale(q->dtype, q->data, cols, r, k));
            // Rounding error: half a step for q8 (plus the f16 rounding of the
            // scale at the clamp); q4's largest magnitude sits on -8, so its
            // opposite end may clamp at +7: one step.
            const double bound = (q->dtype == DType::kQ8 ? 0.6 : 1.01) * d + 1e-7;
            if (std::fabs(row[k] - w) > bound) FAIL("row " << r << " col " << k << ": " << row[k] << " vs " << w);
            err2 += (row[k] - w) * (row[k] - w);
            ref2 += w * w;
          }
        }
        // Padding rows of the last tile: scale 0, code 0 (the zero point).
        for (size_t r = rows; r < quant::RowGroups(rows) * quant::kTileRows; ++r)
          for (size_t k = 0; k < cols; k += 7) {
            REQUIRE(quant::Code(q->dtype, q->data, cols, r, k) == 0);
            REQUIRE(quant::Scale(q->dtype, q->data, cols, r, k) == 0.0f);
          }
        const double rel = ref2 > 0 ? std::sqrt(err2 / ref2) : 0;
        worst = std::max(worst, rel);
        CHECK(rel < (q->dtype == DType::kQ8 ? 0.01 : 0.12));
      }
    }
    CHECK(tiled == 7 * static_cast<size_t>(c.text.layers) + 2);  // layer matrices, embedding, lm_head
    CHECK(sum.bytes == bytes);
    WARN(Info(type).name << ": largest relative RMS error of a quantized tensor " << worst);
    // The loader binds it.
    const Model m(path);
    CHECK(m.text_weights().layers[0].q.type == type);
    CHECK(m.text_weights().lm_head.type == DType::kQ8);
    CHECK(m.text_weights().embed.type == type);
  }
}

TEST_CASE("the loader admits q8 / q4 only for 2-D matrices", "[convert][quant]") {
  const Model& m = GoldenModel(DType::kQ4);
  const ModelConfig& c = m.config();
  std::vector<std::string> names;
  for (const TensorView& t : m.file().tensors()) names.push_back(t.name);
  auto with = [&](const std::string& name, const TensorView& fake) {
    return [&m, name, fake](const std::string& n) -> const TensorView* {
      static TensorView keep;
      if (n != name) return m.file().Find(n);
      keep = fake;
      return &keep;
    };
  };
  CheckAllTensors(c, [&m](const std::string& n) { return m.file().Find(n); }, names, "golden q4");

  // A q8 conv weight (flattened N-D) and a q8 vector: refused, naming the tensor.
  TensorView conv = *m.file().Find("model.visual.patch_embed.proj.weight");
  conv.dtype = DType::kQ8;
  try {
    CheckAllTensors(c, with(conv.name, conv), names, "golden q4");
    FAIL("a q8 conv weight was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadModel);
    CHECK_THAT(e.what(), Catch::Contains("patch_embed.proj.weight") && Catch::Contains("only allowed for 2-D"));
  }
  TensorView norm = *m.file().Find("model.language_model.norm.weight");
  norm.dtype = DType::kQ4;
  try {
    CheckAllTensors(c, with(norm.name, norm), names, "golden q4");
    FAIL("a q4 vector was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadModel);
    CHECK_THAT(e.what(), Catch::Contains("model.language_model.norm.weight") && Catch::Contains("q4"));
  }
}

TEST_CASE("synthetic models: 8B shapes and types by the policy, without writing them", "[synthetic][quant]") {
  const ModelConfig c = ModelConfig::FromHfConfig(SyntheticHfConfig("8b"), "8b");
  CHECK(c.text.hidden == 4096);
  CHECK(c.text.layers == 36);
  CHECK(c.text.heads == 32);
  CHECK(c.text.kv_heads == 8);
  CHECK(c.text.head_dim == 128);
  CHECK(c.text.intermediate == 12288);
  CHECK(c.text.vocab == 151936);
  CHECK(c.text.rope_theta == 5e6);
  CHECK(c.text.mrope_section[0] == 24);
  CHECK(c.text.mrope_section[1] == 20);
  CHECK(c.text.mrope_section[2] == 20);
  CHECK(c.vision.depth == 27);
  CHECK(c.vision.hidden == 1152);
  CHECK(c.vision.heads == 16);
  CHECK(c.vision.intermediate == 4304);
  CHECK(c.vision.out_hidden == 4096);
  CHECK(c.vision.num_position_embeddings == 2304);
  CHECK(c.vision.deepstack_indexes == std::vector<int64_t>{8, 16, 24});
  CHECK(c.ecg.width == 768);
  CHECK(c.ecg.layers == 12);
  CHECK(c.ecg.head_width == 64);
  CHECK_THROWS_AS(SyntheticHfConfig("9b"), Error);

  const SyntheticPlan p = PlanSyntheticModel("8b", DType::kQ4);
  CHECK(p.metadata["provenance"]["random_weights"] == true);
  const std::vector<ExpectedTensor> table = ExpectedTensors(c);
  REQUIRE(p.tensors.size() == table.size());
  uint64_t text = 0;
  for (size_t i = 0; i < table.size(); ++i) {
    INFO(table[i].name);
    CHECK(p.tensors[i].name == table[i].name);
    CHECK(p.tensors[i].dtype == ExpectedType(table[i], DType::kQ4));
    uint64_t b = 0;
    REQUIRE(TensorBytes(p.tensors[i].dtype, p.tensors[i].shape, &b));
    if (PartOf(table[i].name) == TensorPart::kTextLayerMatrix) text += b;
  }
  // 36 layers x (2 x 4096^2 + 2 x 1024 x 4096 + 3 x 12288 x 4096) weights at 4.5 bits.
  CHECK(text == uint64_t{36} * (2 * 4096 * 4096 + 2 * 1024 * 4096 + 3 * 12288 * 4096) / 32 * 18);
  CHECK(p.tensor_bytes > uint64_t{6000000000});  // about 6.3 GB
  CHECK(p.tensor_bytes < uint64_t{6600000000});
  CHECK(p.file_bytes >= p.tensor_bytes);
}

TEST_CASE("synthetic tokenizer: realistic prompt lengths, Qwen3 special ids", "[synthetic]") {
  const Tokenizer tok = Tokenizer::FromJson(SyntheticTokenizerJson(), "synthetic");
  CHECK(tok.TokenId("<|im_start|>") == 151644);
  CHECK(tok.TokenId("<|im_end|>") == 151645);
  CHECK(tok.TokenId("<|vision_start|>") == 151652);
  CHECK(tok.TokenId("<|image_pad|>") == 151655);
  CHECK(tok.TokenId("<|ecg_pad|>") == 151669);
  CHECK(tok.TokenId("<|ecg_start|>") == 151670);
  CHECK(tok.TokenId("<|ecg_end|>") == 151671);
  CHECK(tok.size() == 151672);
  // Qwen3's tokenizer: 18 tokens for the system prompt, 28 for the instruction.
  const size_t sys = tok.Encode(kEcgR1SystemPrompt, false).size(), ins = tok.Encode(kEcgR1Instruction, false).size();
  CHECK(sys <= 24);
  CHECK(ins <= 36);
  // Any text still encodes (byte fallback) and decodes back.
  const std::string text = "QTc 452 ms, ST ↑ in V2";
  CHECK(tok.Decode(tok.Encode(text, false)) == text);
}

TEST_CASE("synthetic tiny model: opened from a file that is gone, and runs", "[synthetic][quant]") {
  TempDir dir;
  ::setenv("ECGR1_SYNTHETIC_DIR", dir.path.c_str(), 1);
  for (DType type : {DType::kQ4, DType::kBF16}) {
    INFO(Info(type).name);
    SyntheticModel s = MakeSyntheticModel("tiny", type);
    CHECK(std::filesystem::is_empty(dir.path));  // nothing left behind
    REQUIRE(s.model != nullptr);
    const Model& m = *s.model;
    CHECK(m.random_weights());
    CHECK(s.folder == dir.path);
    CHECK(s.file_bytes == m.file().file_size());
    CHECK(m.text_weights().layers[0].gate.type == (type == DType::kQ4 ? DType::kQ4 : DType::kBF16));
    CHECK(m.text_weights().lm_head.type == (type == DType::kQ4 ? DType::kQ8 : DType::kBF16));
    for (const TensorView& t : m.file().tensors()) {
      INFO(t.name);
      CHECK(t.dtype == ExpectedType(ExpectedTensor{t.name, t.shape, t.shape.size() == 1 ? TensorRole::kVector
                                                                                         : TensorRole::kMatrix, true},
                                    type));
    }
    // Norms are 1, biases 0; scales of quantized tiles are finite and small.
    CHECK(m.file().Find("model.language_model.norm.weight")->as<float>()[3] == 1.0f);
    CHECK(m.file().Find("model.visual.blocks.0.attn.qkv.bias")->as<float>()[5] == 0.0f);
    const WeightMatrix& g = m.text_weights().layers[1].gate;
    if (quant::IsTiled(g.type)) {
      const float d = quant::Scale(g.type, static_cast<const uint8_t*>(g.data), g.cols, 17, 33);
      CHECK(d > 0.0f);
      CHECK(d < 0.01f);
    }
    Session session(m, 64);
    GenerateOptions opt;
    opt.max_new_tokens = 4;
    opt.stop_ids = {-1};
    const GenerateResult r =
        session.Generate(BuildPrompt(m.tokenizer(), WithDefaultSystem({{"user", "Hello"}}), PromptInputs{}), opt);
    CHECK(r.tokens.size() == 4);
  }
  // Too little room: a clear message, nothing written.
  ::setenv("ECGR1_SYNTHETIC_DIR", (dir.path + "/missing").c_str(), 1);
  try {
    MakeSyntheticModel("tiny", DType::kQ4);
    FAIL("no error without a usable folder");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kOutput);
    CHECK_THAT(e.what(), Catch::Contains("synthetic tiny q4 model needs"));
  }
  ::unsetenv("ECGR1_SYNTHETIC_DIR");
}

}  // namespace ecgr1::test
