#include "convert/convert.h"

#include <omp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "base/bf16.h"
#include "base/error.h"
#include "base/mapped_file.h"
#include "engine/model.h"
#include "io/json.h"
#include "io/safetensors.h"
#include "io/torch_pt.h"
#include "model/config.h"
#include "model/tensor_table.h"
#include "quant/tiled_quant.h"
#include "text/prompt.h"
#include "text/tokenizer.h"

namespace ecgr1 {

const char* const kConverterVersion = "ecgr1-convert " ECGR1_VERSION;

namespace {

using nlohmann::json;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

json ReadJsonFile(const std::string& path) {
  return ParseJson(ReadSmallFile(path, ExitCode::kBadModel, 64u << 20), path, ExitCode::kBadModel);
}

float ReadElement(const TensorView& t, uint64_t i) {
  switch (t.dtype) {
    case DType::kF32: {
      float f;
      std::memcpy(&f, t.data + 4 * i, 4);
      return f;
    }
    case DType::kBF16: {
      uint16_t h;
      std::memcpy(&h, t.data + 2 * i, 2);
      return Bf16ToF32(h);
    }
    default: {  // kF16 (checked before)
      uint16_t h;
      std::memcpy(&h, t.data + 2 * i, 2);
      return F16ToF32(h);
    }
  }
}

// Elements [first, first + n) of `t` as f32.
void ReadElements(const TensorView& t, uint64_t first, size_t n, float* out) {
  switch (t.dtype) {
    case DType::kF32:
      std::memcpy(out, t.data + 4 * first, 4 * n);
      break;
    case DType::kBF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, t.data + 2 * (first + i), 2);
        out[i] = Bf16ToF32(h);
      }
      break;
    default:
      for (size_t i = 0; i < n; ++i) out[i] = ReadElement(t, first + i);
  }
}

// q8 / q4: each 16-row group is read as f32 and quantized on its own, the
// groups in parallel. Nothing in the parallel region throws.
void QuantizeTensor(const TensorView& src, DType to, uint8_t* dst) {
  const size_t rows = static_cast<size_t>(src.shape[0]), cols = static_cast<size_t>(src.shape[1]);
  const size_t group_bytes = quant::RowGroupBytes(to, cols);
  const long long groups = static_cast<long long>(quant::RowGroups(rows));
  const size_t threads = static_cast<size_t>(std::max(1, omp_get_max_threads()));
  std::vector<float> buf(threads * quant::kTileRows * cols);
#pragma omp parallel num_threads(static_cast<int>(threads)) if (groups > 1)
  {
    float* w = buf.data() + static_cast<size_t>(omp_get_thread_num()) * quant::kTileRows * cols;
#pragma omp for schedule(dynamic, 8)
    for (long long g = 0; g < groups; ++g) {
      const size_t r0 = static_cast<size_t>(g) * quant::kTileRows;
      const size_t n = std::min(quant::kTileRows, rows - r0);
      ReadElements(src, static_cast<uint64_t>(r0) * cols, n * cols, w);
      quant::QuantizeRowGroup(to, w, n, cols, 0, dst + static_cast<size_t>(g) * group_bytes);
    }
  }
}

}  // namespace

DType StoredType(const ExpectedTensor& e, const std::vector<uint64_t>& shape, DType requested,
                 bool tied_embeddings) {
  if (e.role == TensorRole::kVector) return DType::kF32;
  if (!quant::IsTiled(requested)) return requested;
  DType t = DType::kBF16;
  switch (PartOf(e.name)) {
    case TensorPart::kTextLayerMatrix:
      t = requested;
      break;
    case TensorPart::kEmbedding:
      t = tied_embeddings ? DType::kQ8 : requested;  // tied: it is lm_head too
      break;
    case TensorPart::kLmHead:
      t = DType::kQ8;
      break;
    default:  // vision encoder, ECG tower, ECG projector
      break;
  }
  uint64_t bytes = 0;
  if (quant::IsTiled(t) && !TensorBytes(t, shape, &bytes)) t = DType::kBF16;  // not 2-D or not whole blocks
  return t;
}

void ConvertTensor(const TensorView& src, DType to, uint8_t* dst) {
  if (quant::IsTiled(to)) return QuantizeTensor(src, to, dst);
  const uint64_t n = src.numel();
  if (src.dtype == to) {
    std::memcpy(dst, src.data, src.nbytes);
    return;
  }
  const long long nn = static_cast<long long>(n);
  if (to == DType::kF32) {
#pragma omp parallel for schedule(static) if (nn > (1 << 16))
    for (long long i = 0; i < nn; ++i) {
      const float f = ReadElement(src, static_cast<uint64_t>(i));
      std::memcpy(dst + 4 * i, &f, 4);
    }
  } else {  // kBF16
#pragma omp parallel for schedule(static) if (nn > (1 << 16))
    for (long long i = 0; i < nn; ++i) {
      const uint16_t h = F32ToBf16(ReadElement(src, static_cast<uint64_t>(i)));
      std::memcpy(dst + 2 * i, &h, 2);
    }
  }
}

ConvertSummary ConvertCheckpoint(const std::string& dir, const std::string& out, const ConvertOptions& opt) {
  if (opt.type != DType::kF32 && opt.type != DType::kBF16 && !quant::IsTiled(opt.type))
    Fail(ExitCode::kUsage, "convert-weights: --type must be f32, bf16, q8 or q4");
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    Fail(ExitCode::kBadModel, "%s: not a checkpoint folder", dir.c_str());

  const std::string config_path = dir + "/config.json";
  const json hf_config = ReadJsonFile(config_path);
  const ModelConfig config = ModelConfig::FromHfConfig(hf_config, config_path);

  const std::string tok_path = dir + "/tokenizer.json";
  const Tokenizer tok = Tokenizer::FromHuggingFace(ReadSmallFile(tok_path, ExitCode::kBadModel, 256u << 20), tok_path);
  if (tok.size() > config.text.vocab)
    Fail(ExitCode::kBadModel, "%s: the tokenizer has %d ids but the model's vocabulary only %lld rows",
         tok_path.c_str(), tok.size(), static_cast<long long>(config.text.vocab));

  GenerationDefaults gen;
  const std::string gen_path = dir + "/generation_config.json";
  if (Exists(gen_path)) {
    gen = GenerationDefaults::FromJson(ReadJsonFile(gen_path), gen_path);
  }
  // tokenizer_config.json: its added tokens must agree with tokenizer.json;
  // its eos_token is the stop token when generation_config.json names none.
  const std::string tc_path = dir + "/tokenizer_config.json";
  if (Exists(tc_path)) {
    const json tc = ReadJsonFile(tc_path);
    if (!tc.is_object()) Fail(ExitCode::kBadModel, "%s: not a JSON object", tc_path.c_str());
    if (tc.contains("added_tokens_decoder")) {
      const json& atd = tc["added_tokens_decoder"];
      if (!atd.is_object()) Fail(ExitCode::kBadModel, "%s: added_tokens_decoder is not an object", tc_path.c_str());
      for (auto it = atd.begin(); it != atd.end(); ++it) {
        const json& content = it.value().is_object() && it.value().contains("content") ? it.value()["content"] : json();
        if (!content.is_string())
          Fail(ExitCode::kBadModel, "%s: added token %s has no content", tc_path.c_str(), it.key().c_str());
        const int32_t id = tok.TokenId(content.get<std::string>());
        if (std::to_string(id) != it.key())
          Fail(ExitCode::kBadModel, "%s: added token %s \"%s\" is id %d in tokenizer.json", tc_path.c_str(),
               it.key().c_str(), content.get<std::string>().c_str(), id);
      }
    }
    if (gen.eos_ids.empty() && tc.contains("eos_token") && tc["eos_token"].is_string()) {
      const int32_t id = tok.TokenId(tc["eos_token"].get<std::string>());
      if (id < 0) Fail(ExitCode::kBadModel, "%s: eos_token is not a token", tc_path.c_str());
      gen.eos_ids.push_back(id);
    }
  }
  if (gen.eos_ids.empty()) {
    for (const char* s : {"<|im_end|>", "<|endoftext|>"})
      if (tok.TokenId(s) >= 0) gen.eos_ids.push_back(tok.TokenId(s));
  }
  json preprocessor = nullptr;
  if (Exists(dir + "/preprocessor_config.json")) preprocessor = ReadJsonFile(dir + "/preprocessor_config.json");

  // Check the tensors against the table: missing, mis-shaped, wrong dtype, extra.
  const SafetensorsCheckpoint ck(dir);
  // With --ecg-tower, model.ecg_tower.<x> comes from the .pt's module.ecg.<x>.
  const std::string tower = "model.ecg_tower.", pt_tower = "module.ecg.";
  std::unique_ptr<TorchCheckpoint> pt;
  if (!opt.ecg_tower_pt.empty()) pt = std::make_unique<TorchCheckpoint>(opt.ecg_tower_pt, pt_tower);
  const std::vector<ExpectedTensor> table = ExpectedTensors(config);
  std::set<std::string> expected;
  std::vector<Ecgr1TensorSpec> specs;
  uint64_t total = 0;
  for (const ExpectedTensor& e : table) {
    expected.insert(e.name);
    const bool is_tower = e.name.compare(0, tower.size(), tower) == 0;
    const bool from_pt = pt != nullptr && is_tower;
    const std::string src_name = from_pt ? pt_tower + e.name.substr(tower.size()) : e.name;
    const TensorView* t = from_pt ? pt->Find(src_name) : ck.Find(e.name);
    if (t == nullptr && from_pt)
      Fail(ExitCode::kBadModel, "%s: tensor %s is missing", pt->path().c_str(), src_name.c_str());
    if (t == nullptr && is_tower)
      Fail(ExitCode::kBadModel, "%s: tensor %s is missing; to take the ECG tower from the ECG-CoCa checkpoint, pass "
           "--ecg-tower FILE.pt", dir.c_str(), e.name.c_str());
    if (t == nullptr) Fail(ExitCode::kBadModel, "%s: tensor %s is missing", dir.c_str(), e.name.c_str());
    const std::string src_file = from_pt ? pt->path() : ck.ShardOf(e.name);
    bool shape_ok = t->shape.size() == e.shape.size();
    for (size_t i = 0; shape_ok && i < e.shape.size(); ++i) shape_ok = e.shape[i] == 0 || e.shape[i] == t->shape[i];
    if (!shape_ok)
      Fail(ExitCode::kBadModel, "%s: tensor %s has shape %s, expected %s", src_file.c_str(), src_name.c_str(),
           ShapeString(t->shape).c_str(), ShapeString(e.shape).c_str());
    if (t->dtype != DType::kF32 && t->dtype != DType::kBF16 && t->dtype != DType::kF16)
      Fail(ExitCode::kBadModel, "%s: tensor %s has dtype %s; only F32, F16 and BF16 weights can be converted",
           src_file.c_str(), src_name.c_str(), Info(t->dtype).name);
    Ecgr1TensorSpec s;
    s.name = e.name;
    s.dtype = StoredType(e, t->shape, opt.type, config.text.tie_word_embeddings);
    s.shape = t->shape;
    const TensorView* src = t;
    const DType to = s.dtype;
    s.fill = [src, to](uint8_t* dst, uint64_t) { ConvertTensor(*src, to, dst); };
    uint64_t b = 0;
    std::string why;
    if (!TensorBytes(s.dtype, s.shape, &b, &why))
      Fail(ExitCode::kBadModel, "%s: tensor %s of shape %s cannot be stored as %s: %s", src_file.c_str(),
           src_name.c_str(), ShapeString(s.shape).c_str(), Info(s.dtype).name, why.c_str());
    total += b;
    specs.push_back(std::move(s));
  }
  for (const std::string& n : ck.Names())
    if (expected.count(n) == 0)
      Fail(ExitCode::kBadModel, "%s: unexpected tensor %s (not part of the ECG-R1 architecture)",
           ck.ShardOf(n).c_str(), n.c_str());
  if (pt != nullptr)  // the safetensors' own tower tensors (if any) are then unused
    for (const TensorView& t : pt->tensors())
      if (expected.count(tower + t.name.substr(pt_tower.size())) == 0)
        Fail(ExitCode::kBadModel, "%s: unexpected tensor %s (not part of the ECG-R1 ECG tower)", pt->path().c_str(),
             t.name.c_str());

  json meta;
  meta["format"] = "ecgr1";
  meta["hf_config"] = hf_config;
  meta["tokenizer"] = tok.ToJson();
  meta["generation"] = gen.ToJson();
  meta["chat"] = {{"template", "chatml"}, {"system", kEcgR1SystemPrompt}, {"instruction", kEcgR1Instruction}};
  if (!preprocessor.is_null()) meta["preprocessor"] = preprocessor;
  // The smallest real ECG-R1 is 8B (d = 4096); anything tiny is a test model.
  const bool random_weights = opt.random_weights || config.text.hidden < 512;
  meta["provenance"] = {{"source", dir},
                        {"converter", kConverterVersion},
                        {"weight_type", Info(opt.type).name},
                        {"tensors", specs.size()},
                        {"random_weights", random_weights}};
  if (pt != nullptr) meta["provenance"]["ecg_tower"] = opt.ecg_tower_pt;
  WriteEcgr1(out, meta, specs, opt.progress);
  return ConvertSummary{specs.size(), total};
}

}  // namespace ecgr1
