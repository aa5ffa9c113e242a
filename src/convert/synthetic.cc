#include "convert/synthetic.h"

#include <omp.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>

#include "base/bf16.h"
#include "base/error.h"
#include "convert/convert.h"
#include "model/config.h"
#include "model/tensor_table.h"
#include "quant/tiled_quant.h"
#include "text/prompt.h"

namespace ecgr1 {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------- random numbers

uint64_t SplitMix(uint64_t* s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t s = a * 0xD1B54A32D192ED03ull ^ b;
  return SplitMix(&s);
}

// Work is cut into chunks of this many bytes, each with its own seed, so the
// contents do not depend on the thread count.
constexpr uint64_t kChunk = uint64_t{1} << 20;

// Random bytes; for q8 no byte is 0 (code 0 would be q = -128, outside the
// type's [-127, 127]).
void FillRandomBytes(uint8_t* dst, uint64_t n, uint64_t seed, bool no_zero) {
  const long long chunks = static_cast<long long>((n + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(dynamic, 4)
  for (long long c = 0; c < chunks; ++c) {
    uint64_t s = Mix(seed, static_cast<uint64_t>(c));
    const uint64_t begin = static_cast<uint64_t>(c) * kChunk, end = std::min(n, begin + kChunk);
    uint64_t i = begin;
    constexpr uint64_t k7F = 0x7F7F7F7F7F7F7F7Full;
    for (; i + 8 <= end; i += 8) {
      uint64_t x = SplitMix(&s);
      if (no_zero) {
        const uint64_t zero_high = ~((((x & k7F) + k7F) | x) | k7F);  // 0x80 in each zero byte
        x |= zero_high >> 7;
      }
      std::memcpy(dst + i, &x, 8);
    }
    for (uint64_t x = SplitMix(&s); i < end; ++i, x >>= 8) dst[i] = static_cast<uint8_t>(no_zero && (x & 0xFF) == 0 ? 1 : x);
  }
}

// n values uniform in [-amp, amp) as f32 or bf16 (bf16 by truncation).
void FillUniform(DType t, uint8_t* dst, uint64_t n, float amp, uint64_t seed) {
  constexpr uint64_t kBatch = 2048;
  const uint64_t per_chunk = kChunk / 4;  // a multiple of kBatch
  const long long chunks = static_cast<long long>((n + per_chunk - 1) / per_chunk);
  const float k = amp / 32768.0f;
#pragma omp parallel for schedule(dynamic, 4)
  for (long long c = 0; c < chunks; ++c) {
    uint64_t s = Mix(seed, static_cast<uint64_t>(c));
    int16_t r[kBatch];
    float f[kBatch];
    uint16_t h[kBatch];
    const uint64_t begin = static_cast<uint64_t>(c) * per_chunk, end = std::min(n, begin + per_chunk);
    for (uint64_t i = begin; i < end; i += kBatch) {
      const size_t m = static_cast<size_t>(std::min<uint64_t>(kBatch, end - i));
      for (size_t j = 0; j < kBatch; j += 4) {
        const uint64_t x = SplitMix(&s);
        std::memcpy(r + j, &x, 8);
      }
      for (size_t j = 0; j < kBatch; ++j) f[j] = static_cast<float>(r[j]) * k;
      if (t == DType::kF32) {
        std::memcpy(dst + 4 * i, f, 4 * m);
      } else {
        for (size_t j = 0; j < kBatch; ++j) {
          uint32_t bits;
          std::memcpy(&bits, f + j, 4);
          h[j] = static_cast<uint16_t>(bits >> 16);
        }
        std::memcpy(dst + 2 * i, h, 2 * m);
      }
    }
  }
}

// A q8 / q4 matrix: random codes, every row's block scale chosen so that the
// weights have a standard deviation of about 0.02 (uniform codes: std 73.6
// for q8, 4.6 for q4). A last, partial row group is quantized from random
// values so that its padding rows are exactly what the layout prescribes.
void FillTiled(DType t, uint8_t* dst, size_t rows, size_t cols, uint64_t seed) {
  const size_t group_bytes = quant::RowGroupBytes(t, cols), tile_bytes = quant::TileBytes(t);
  const size_t full = rows / quant::kTileRows, blocks = cols / quant::kBlock;
  FillRandomBytes(dst, static_cast<uint64_t>(full) * group_bytes, seed, t == DType::kQ8);
  const uint16_t d16 = F32ToF16(t == DType::kQ8 ? 0.02f / 73.6f : 0.02f / 4.6f);
  uint8_t scales[quant::kScaleBytes];
  for (size_t r = 0; r < quant::kTileRows; ++r) std::memcpy(scales + 2 * r, &d16, 2);
  const long long nf = static_cast<long long>(full);
#pragma omp parallel for schedule(static)
  for (long long g = 0; g < nf; ++g)
    for (size_t b = 0; b < blocks; ++b)
      std::memcpy(dst + static_cast<size_t>(g) * group_bytes + b * tile_bytes, scales, quant::kScaleBytes);
  if (rows % quant::kTileRows != 0) {
    const size_t n = rows % quant::kTileRows;
    std::vector<float> w(n * cols);
    uint64_t s = Mix(seed, ~uint64_t{0});
    for (float& v : w) v = static_cast<float>(static_cast<int>(SplitMix(&s) & 0xFFFF) - 32768) * (0.04f / 32768.0f);
    quant::QuantizeRowGroup(t, w.data(), n, cols, 0, dst + full * group_bytes);
  }
}

bool EndsWith(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// ---------------------------------------------------------------- tokenizer

// GPT-2's byte-level alphabet: printable bytes map to themselves, the others
// to U+0100 upwards, as UTF-8.
std::string BytePiece(unsigned char b) {
  const bool self = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
  uint32_t cp = b;
  if (!self) {
    uint32_t n = 0;
    for (uint32_t x = 0; x < b; ++x)
      if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174)) ++n;
    cp = 256 + n;
  }
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Words as Qwen's pre-tokenizer cuts ASCII text: one optional non-letter
// (not a newline or digit) followed by letters.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    size_t j = i;
    if (!IsLetter(text[j]) && text[j] != '\n' && text[j] != '\r' && !(text[j] >= '0' && text[j] <= '9')) ++j;
    if (j < text.size() && IsLetter(text[j])) {
      while (j < text.size() && IsLetter(text[j])) ++j;
      out.push_back(text.substr(i, j - i));
      i = j;
    } else {
      i = std::max(j, i + 1);
    }
  }
  return out;
}

// Qwen3's special and added tokens at their real ids (ECG-R1 adds the last three).
struct Special {
  int32_t id;
  const char* content;
  bool special;
};
constexpr Special kSpecials[] = {
    {151643, "<|endoftext|>", true},    {151644, "<|im_start|>", true},      {151645, "<|im_end|>", true},
    {151646, "<|object_ref_start|>", true}, {151647, "<|object_ref_end|>", true}, {151648, "<|box_start|>", true},
    {151649, "<|box_end|>", true},      {151650, "<|quad_start|>", true},    {151651, "<|quad_end|>", true},
    {151652, "<|vision_start|>", true}, {151653, "<|vision_end|>", true},    {151654, "<|vision_pad|>", true},
    {151655, "<|image_pad|>", true},    {151656, "<|video_pad|>", true},     {151657, "<tool_call>", false},
    {151658, "</tool_call>", false},    {151659, "<|fim_prefix|>", false},   {151660, "<|fim_middle|>", false},
    {151661, "<|fim_suffix|>", false},  {151662, "<|fim_pad|>", false},      {151663, "<|repo_name|>", false},
    {151664, "<|file_sep|>", false},    {151665, "<tool_response>", false},  {151666, "</tool_response>", false},
    {151667, "<think>", false},         {151668, "</think>", false},         {151669, "<|ecg_pad|>", true},
    {151670, "<|ecg_start|>", true},    {151671, "<|ecg_end|>", true},
};

// Qwen2/Qwen3's pre-tokenizer regex (tokenizer.json of Qwen3-VL).
constexpr const char* kQwenRegex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// ---------------------------------------------------------------- configs

json TextConfigJson(int64_t hidden, int64_t layers, int64_t heads, int64_t kv, int64_t head_dim, int64_t inter,
                    int64_t vocab, std::vector<int64_t> mrope) {
  return {{"model_type", "qwen3_vl_text"},
          {"hidden_act", "silu"},
          {"attention_bias", false},
          {"hidden_size", hidden},
          {"num_hidden_layers", layers},
          {"num_attention_heads", heads},
          {"num_key_value_heads", kv},
          {"head_dim", head_dim},
          {"intermediate_size", inter},
          {"vocab_size", vocab},
          {"rms_norm_eps", 1e-6},
          {"rope_theta", 5000000.0},
          {"rope_scaling", {{"mrope_interleaved", true}, {"mrope_section", mrope}, {"rope_type", "default"}}},
          {"bos_token_id", 151643},
          {"eos_token_id", 151645}};
}

json VisionConfigJson(int64_t depth, int64_t hidden, int64_t heads, int64_t inter, int64_t out_hidden,
                      int64_t positions, std::vector<int64_t> deepstack) {
  return {{"model_type", "qwen3_vl"},
          {"hidden_act", "gelu_pytorch_tanh"},
          {"depth", depth},
          {"hidden_size", hidden},
          {"num_heads", heads},
          {"intermediate_size", inter},
          {"out_hidden_size", out_hidden},
          {"num_position_embeddings", positions},
          {"deepstack_visual_indexes", deepstack},
          {"in_channels", 3},
          {"patch_size", 16},
          {"temporal_patch_size", 2},
          {"spatial_merge_size", 2}};
}

json EcgConfigJson(int64_t width, int64_t layers, int64_t head_width, int64_t embed_dim) {
  return {{"ecg_cfg",
           {{"width", width},
            {"layers", layers},
            {"head_width", head_width},
            {"lead_num", 12},
            {"patch_size", 50},
            {"seq_length", 5000},
            {"output_tokens", true}}},
          {"embed_dim", embed_dim}};
}

// Open_clip's output width (embed_dim) of the unused ECG tower projection.
int64_t EcgEmbedDim(const json& hf) { return hf["ecg_tower_model_cfg"]["embed_dim"].get<int64_t>(); }

// The folder's free bytes, and whether it lives in memory (tmpfs / ramfs).
bool FolderSpace(const std::string& dir, uint64_t* free_bytes, bool* in_memory) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || ::access(dir.c_str(), W_OK | X_OK) != 0) return false;
  struct statvfs vfs;
  if (::statvfs(dir.c_str(), &vfs) != 0) return false;
  *free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  struct statfs fs;
  *in_memory = ::statfs(dir.c_str(), &fs) == 0 && (fs.f_type == 0x01021994 /* tmpfs */ || fs.f_type == 0x858458f6 /* ramfs */);
  return true;
}

// MemAvailable from /proc/meminfo in bytes (0 if unknown).
uint64_t MemAvailable() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (f >> key >> kb) {
    std::getline(f, unit);
    if (key == "MemAvailable:") return kb * 1024;
  }
  return 0;
}

// Unlinks a path when it goes out of scope (success or exception).
struct UnlinkOnExit {
  std::string path;
  ~UnlinkOnExit() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

const std::vector<std::string>& SyntheticSizes() {
  static const std::vector<std::string> sizes = {"8b", "tiny"};
  return sizes;
}

json SyntheticHfConfig(const std::string& size) {
  json j = {{"architectures", {"ECGR1ForConditionalGeneration"}},
            {"model_type", "qwen3_vl"},
            {"tie_word_embeddings", false},
            {"image_token_id", 151655},
            {"video_token_id", 151656},
            {"vision_start_token_id", 151652},
            {"vision_end_token_id", 151653},
            {"ecg_token_id", 151669},
            {"ecg_projector_type", "mlp2x_gelu"}};
  if (size == "8b") {
    // Qwen3-VL-8B-Instruct's config.json, and ECG-CoCa's coca_ViT-B-32 tower.
    j["text_config"] = TextConfigJson(4096, 36, 32, 8, 128, 12288, 151936, {24, 20, 20});
    j["vision_config"] = VisionConfigJson(27, 1152, 16, 4304, 4096, 2304, {8, 16, 24});
    j["ecg_model_config"] = "coca_ViT-B-32";
    j["ecg_tower_model_cfg"] = EcgConfigJson(768, 12, 64, 512);
    j["ecg_hidden_size"] = 768;
  } else if (size == "tiny") {
    j["text_config"] = TextConfigJson(64, 2, 4, 2, 16, 128, 151936, {4, 2, 2});
    j["vision_config"] = VisionConfigJson(2, 32, 2, 64, 64, 16, {0, 1});
    j["ecg_model_config"] = "coca_tiny_synthetic";
    j["ecg_tower_model_cfg"] = EcgConfigJson(32, 1, 16, 24);
    j["ecg_hidden_size"] = 32;
  } else {
    Fail(ExitCode::kUsage, "unknown synthetic model size \"%s\" (known: 8b, tiny)", size.c_str());
  }
  return j;
}

json SyntheticTokenizerJson() {
  std::vector<std::string> vocab;
  std::set<std::string> in_vocab;
  for (int b = 0; b < 256; ++b) {
    vocab.push_back(BytePiece(static_cast<unsigned char>(b)));
    in_vocab.insert(vocab.back());
  }
  // One merge chain per word of the texts every ECG-R1 prompt carries: each
  // such word becomes one token, as most English words are in Qwen's vocab.
  std::vector<std::string> merges;
  std::set<std::string> have_merge;
  const std::string texts = std::string(kEcgR1SystemPrompt) + "\n" + kEcgR1Instruction +
                            "\nsystem\nuser\nassistant\n ECG image signal lead leads rhythm rate";
  for (const std::string& w : Words(texts)) {
    std::string prefix = BytePiece(static_cast<unsigned char>(w[0]));
    for (size_t k = 1; k < w.size(); ++k) {
      const std::string next = BytePiece(static_cast<unsigned char>(w[k]));
      const std::string merge = prefix + " " + next;
      prefix += next;
      if (in_vocab.insert(prefix).second) vocab.push_back(prefix);
      if (have_merge.insert(merge).second) merges.push_back(merge);
    }
  }
  json added = json::array();
  for (const Special& s : kSpecials) added.push_back({{"id", s.id}, {"content", s.content}, {"special", s.special}});
  return {{"vocab", vocab},
          {"merges", merges},
          {"added_tokens", added},
          {"pre_tokenizer_regex", kQwenRegex},
          {"normalizer", "NFC"}};
}

SyntheticPlan PlanSyntheticModel(const std::string& size, DType type, uint64_t seed) {
  if (type != DType::kF32 && type != DType::kBF16 && !quant::IsTiled(type))
    Fail(ExitCode::kUsage, "synthetic models come in f32, bf16, q8 or q4, not %s", Info(type).name);
  const json hf = SyntheticHfConfig(size);
  const ModelConfig config = ModelConfig::FromHfConfig(hf, "synthetic " + size + " config");
  SyntheticPlan plan;
  const std::vector<ExpectedTensor> table = ExpectedTensors(config);
  for (size_t i = 0; i < table.size(); ++i) {
    const ExpectedTensor& e = table[i];
    Ecgr1TensorSpec s;
    s.name = e.name;
    s.shape = e.shape;
    if (s.shape.size() == 2 && s.shape[1] == 0) s.shape[1] = static_cast<uint64_t>(EcgEmbedDim(hf));  // ecg_tower.proj
    s.dtype = StoredType(e, s.shape, type, config.text.tie_word_embeddings);
    uint64_t bytes = 0;
    std::string why;
    if (!TensorBytes(s.dtype, s.shape, &bytes, &why))
      Fail(ExitCode::kInternal, "synthetic tensor %s: %s", e.name.c_str(), why.c_str());
    plan.tensor_bytes += bytes;
    plan.file_bytes += bytes + kEcgr1Alignment;
    const uint64_t tseed = Mix(seed, i);
    const DType t = s.dtype;
    const std::vector<uint64_t> shape = s.shape;
    const bool bias = e.role == TensorRole::kVector && EndsWith(e.name, "bias");
    const bool scale = e.role == TensorRole::kVector && EndsWith(e.name, "weight");
    s.fill = [t, shape, tseed, bias, scale](uint8_t* dst, uint64_t nbytes) {
      if (quant::IsTiled(t)) return FillTiled(t, dst, static_cast<size_t>(shape[0]), static_cast<size_t>(shape[1]), tseed);
      const uint64_t n = nbytes / Info(t).block_bytes;
      if (bias) return;  // the writer hands out zeroed buffers
      if (scale) {       // norms: 1
        const float one = 1.0f;
        for (uint64_t k = 0; k < n; ++k) std::memcpy(dst + 4 * k, &one, 4);
        return;
      }
      FillUniform(t, dst, n, 0.04f, tseed);  // matrices, embeddings, the ECG class embedding
    };
    plan.tensors.push_back(std::move(s));
  }
  plan.metadata["format"] = "ecgr1";
  plan.metadata["hf_config"] = hf;
  plan.metadata["tokenizer"] = SyntheticTokenizerJson();
  plan.metadata["generation"] = {{"eos_token_id", {151645, 151643}}, {"temperature", 0.7}, {"top_p", 0.8},
                                 {"top_k", 20}, {"repetition_penalty", 1.0}};
  plan.metadata["chat"] = {{"template", "chatml"}, {"system", kEcgR1SystemPrompt}, {"instruction", kEcgR1Instruction}};
  plan.metadata["provenance"] = {{"source", "synthetic " + size},
                                 {"converter", kConverterVersion},
                                 {"weight_type", Info(type).name},
                                 {"tensors", plan.tensors.size()},
                                 {"random_weights", true},
                                 {"synthetic", size},
                                 {"seed", seed}};
  plan.file_bytes += plan.metadata.dump().size() + (uint64_t{1} << 20);  // header, directory, alignment
  return plan;
}

SyntheticModel MakeSyntheticModel(const std::string& size, DType type, const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const SyntheticPlan plan = PlanSyntheticModel(size, type);
  std::vector<std::string> folders = {"/dev/shm"};
  if (const char* t = std::getenv("TMPDIR"); t != nullptr && *t != '\0') folders.push_back(t);
  folders.push_back("/tmp");
  if (const char* d = std::getenv("ECGR1_SYNTHETIC_DIR"); d != nullptr && *d != '\0') folders = {d};
  std::string folder, tried;
  const uint64_t avail = MemAvailable();
  const uint64_t margin = uint64_t{512} << 20;  // for everything else the bench needs
  for (const std::string& d : folders) {
    uint64_t free_bytes = 0;
    bool in_memory = false;
    if (!FolderSpace(d, &free_bytes, &in_memory)) continue;
    const bool room = free_bytes >= plan.file_bytes + margin &&
                      (!in_memory || avail == 0 || avail >= plan.file_bytes + margin);
    if (room) {
      folder = d;
      break;
    }
    tried += StrFormat("%s%s %.1f GB free%s", tried.empty() ? "" : "; ", d.c_str(), static_cast<double>(free_bytes) / 1e9,
                       in_memory ? StrFormat(" (in memory, %.1f GB of memory available)", static_cast<double>(avail) / 1e9).c_str() : "");
  }
  if (folder.empty())
    Fail(ExitCode::kOutput, "the synthetic %s %s model needs %.1f GB for its temporary file (%.1f GB of memory for one in "
         "memory), but no folder has room: %s", size.c_str(), Info(type).name, static_cast<double>(plan.file_bytes) / 1e9,
         static_cast<double>(plan.file_bytes + margin) / 1e9, tried.empty() ? "none is writable" : tried.c_str());

  SyntheticModel out;
  out.size = size;
  out.type = type;
  out.folder = folder;
  const std::string path = folder + "/ecgr1-synthetic-" + std::to_string(::getpid()) + ".ecgr1";
  UnlinkOnExit guard{path};  // the mapping outlives the name
  WriteEcgr1Mapped(path, plan.metadata, plan.tensors, progress);
  out.generate_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  out.model = std::make_unique<Model>(path);
  out.file_bytes = out.model->file().file_size();
  return out;
}

}  // namespace ecgr1
