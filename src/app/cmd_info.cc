// cmd_info.cc — `ecgr1 info MODEL [--json] [--tensors]`: config, tensors,
// types (bytes and parameters per type, effective bits per weight of the file
// and of the text decoder's layer matrices), size, provenance; --tensors lists
// every tensor with its type, shape and bytes.
#include <cstdio>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "engine/model.h"
#include "kernels/ops.h"
#include "model/tensor_table.h"

namespace ecgr1 {
namespace {

struct InfoFlags {
  std::string model;
  bool json = false, tensors = false;
};

// "8.87 B", "4.72 M", "912".
std::string Count(uint64_t n) {
  char buf[32];
  if (n >= 1000000000)
    std::snprintf(buf, sizeof(buf), "%.2f B", static_cast<double>(n) / 1e9);
  else if (n >= 1000000)
    std::snprintf(buf, sizeof(buf), "%.2f M", static_cast<double>(n) / 1e6);
  else
    std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(n));
  return buf;
}

// Stored bits per parameter: bytes * 8 / parameters (scales and row padding included).
double Bits(uint64_t bytes, uint64_t params) {
  return params == 0 ? 0.0 : 8.0 * static_cast<double>(bytes) / static_cast<double>(params);
}

int Run(const InfoFlags& f) {
  const Model model(FindModel(f.model));
  const ModelConfig& c = model.config();
  const Ecgr1File& file = model.file();
  struct TypeTotals {
    size_t tensors = 0;
    uint64_t bytes = 0, params = 0;
  };
  std::map<std::string, TypeTotals> by_type;
  uint64_t params = 0, bytes = 0, text_params = 0, text_bytes = 0;
  nlohmann::json list = nlohmann::json::array();
  for (const TensorView& t : file.tensors()) {
    TypeTotals& e = by_type[Info(t.dtype).name];
    e.tensors += 1;
    e.bytes += t.nbytes;
    e.params += t.numel();
    params += t.numel();
    bytes += t.nbytes;
    if (PartOf(t.name) == TensorPart::kTextLayerMatrix) {
      text_params += t.numel();
      text_bytes += t.nbytes;
    }
    if (f.tensors)
      list.push_back({{"name", t.name}, {"type", Info(t.dtype).name}, {"shape", t.shape}, {"bytes", t.nbytes}});
  }
  const nlohmann::json& meta = file.metadata();
  const nlohmann::json prov = meta.contains("provenance") ? meta["provenance"] : nlohmann::json::object();
  nlohmann::json types = nlohmann::json::object();
  for (const auto& [name, e] : by_type)
    types[name] = {{"tensors", e.tensors}, {"bytes", e.bytes}, {"parameters", e.params},
                   {"bits_per_weight", Bits(e.bytes, e.params)},
                   {"nominal_bits_per_weight", BitsPerWeight(FindDTypeByName(name)->type)}};
  nlohmann::json j = {
      {"path", model.path()},
      {"format_version", std::to_string(file.version_major()) + "." + std::to_string(file.version_minor())},
      {"file_bytes", file.file_size()},
      {"tensors", file.tensors().size()},
      {"parameters", params},
      {"types", types},
      {"tensor_bytes", bytes},
      {"bits_per_weight", {{"all", Bits(bytes, params)}, {"text_matrices", Bits(text_bytes, text_params)}}},
      {"random_weights", model.random_weights()},
      {"text", {{"layers", c.text.layers}, {"hidden", c.text.hidden}, {"heads", c.text.heads},
                {"kv_heads", c.text.kv_heads}, {"head_dim", c.text.head_dim},
                {"intermediate", c.text.intermediate}, {"vocab", c.text.vocab},
                {"rope_theta", c.text.rope_theta},
                {"mrope_section", {c.text.mrope_section[0], c.text.mrope_section[1], c.text.mrope_section[2]}}}},
      {"tokenizer_ids", model.tokenizer().size()},
      {"eos_ids", model.generation().eos_ids},
      {"provenance", prov},
      {"kernel_target", kernels::TargetName()},
  };
  if (c.has_vision)
    j["vision"] = {{"depth", c.vision.depth}, {"hidden", c.vision.hidden}, {"heads", c.vision.heads},
                   {"deepstack", c.vision.deepstack_indexes}};
  if (c.has_ecg)
    j["ecg"] = {{"width", c.ecg.width}, {"layers", c.ecg.layers}, {"heads", c.ecg.width / c.ecg.head_width},
                {"patch", c.ecg.patch}, {"leads", c.ecg.leads}, {"samples", c.ecg.seq_length},
                {"tokens", c.ecg.tokens()}};
  if (f.tensors) j["tensor_list"] = list;
  if (f.json) {
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("model        %s%s\n", model.path().c_str(),
              model.random_weights() ? "  (RANDOM-WEIGHT test or benchmark model: its output is meaningless)" : "");
  std::printf("format       .ecgr1 v%s, %.1f MB, %zu tensors, %.3f B parameters\n",
              j["format_version"].get<std::string>().c_str(), static_cast<double>(file.file_size()) / 1e6,
              file.tensors().size(), static_cast<double>(params) / 1e9);
  for (const auto& [name, e] : by_type)
    std::printf("  %-6s     %zu tensors, %.1f MB, %s parameters, %.2f bits/weight\n", name.c_str(), e.tensors,
                static_cast<double>(e.bytes) / 1e6, Count(e.params).c_str(), Bits(e.bytes, e.params));
  std::printf("bits/weight  %.2f for the whole file, %.2f for the text decoder's layer matrices\n", Bits(bytes, params),
              Bits(text_bytes, text_params));
  std::printf("text         %lld layers, d %lld, %lld/%lld heads x %lld, MLP %lld, vocab %lld, rope theta %.0f\n",
              (long long)c.text.layers, (long long)c.text.hidden, (long long)c.text.heads, (long long)c.text.kv_heads,
              (long long)c.text.head_dim, (long long)c.text.intermediate, (long long)c.text.vocab, c.text.rope_theta);
  if (c.has_vision)
    std::printf("vision       %lld blocks, width %lld, %lld heads, %zu DeepStack taps\n", (long long)c.vision.depth,
                (long long)c.vision.hidden, (long long)c.vision.heads, c.vision.deepstack_indexes.size());
  if (c.has_ecg)
    std::printf("ecg tower    %lld blocks, width %lld, %lld leads x %lld samples -> %lld tokens\n",
                (long long)c.ecg.layers, (long long)c.ecg.width, (long long)c.ecg.leads, (long long)c.ecg.seq_length,
                (long long)c.ecg.tokens());
  std::printf("tokenizer    %d ids\n", model.tokenizer().size());
  std::printf("provenance   %s\n", prov.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  std::printf("kernels      %s\n", kernels::TargetName());
  if (f.tensors) {
    std::printf("tensors\n");
    for (const TensorView& t : file.tensors())
      std::printf("  %-64s %-5s %-22s %12llu bytes\n", t.name.c_str(), Info(t.dtype).name, ShapeString(t.shape).c_str(),
                  static_cast<unsigned long long>(t.nbytes));
  }
  return 0;
}

}  // namespace

Command AddInfoCommand(CLI::App& app) {
  auto f = std::make_shared<InfoFlags>();
  CLI::App* sub = app.add_subcommand("info", "Describe a .ecgr1 model: config, tensors, types, size, provenance");
  sub->add_option("model", f->model, "Model file (.ecgr1); default $ECGR1_MODEL or " + std::string(kDefaultModelPath));
  sub->add_flag("--json", f->json, "Print one JSON object");
  sub->add_flag("--tensors", f->tensors, "Also list every tensor: name, type, shape, bytes (JSON: tensor_list)");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
