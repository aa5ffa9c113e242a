// cmd_info.cc — `ecgr1 info MODEL [--json]`: config, tensors, types, size, provenance.
#include <cstdio>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "engine/model.h"
#include "kernels/ops.h"

namespace ecgr1 {
namespace {

struct InfoFlags {
  std::string model;
  bool json = false;
};

int Run(const InfoFlags& f) {
  const Model model(FindModel(f.model));
  const ModelConfig& c = model.config();
  const Ecgr1File& file = model.file();
  std::map<std::string, std::pair<size_t, uint64_t>> by_type;  // dtype -> (tensors, bytes)
  uint64_t params = 0;
  for (const TensorView& t : file.tensors()) {
    auto& e = by_type[Info(t.dtype).name];
    e.first += 1;
    e.second += t.nbytes;
    params += t.numel();
  }
  const nlohmann::json& meta = file.metadata();
  const nlohmann::json prov = meta.contains("provenance") ? meta["provenance"] : nlohmann::json::object();
  nlohmann::json types = nlohmann::json::object();
  for (const auto& [name, e] : by_type) types[name] = {{"tensors", e.first}, {"bytes", e.second}};
  nlohmann::json j = {
      {"path", model.path()},
      {"format_version", std::to_string(file.version_major()) + "." + std::to_string(file.version_minor())},
      {"file_bytes", file.file_size()},
      {"tensors", file.tensors().size()},
      {"parameters", params},
      {"types", types},
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
    std::printf("  %-6s     %zu tensors, %.1f MB\n", name.c_str(), e.first, static_cast<double>(e.second) / 1e6);
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
  return 0;
}

}  // namespace

Command AddInfoCommand(CLI::App& app) {
  auto f = std::make_shared<InfoFlags>();
  CLI::App* sub = app.add_subcommand("info", "Describe a .ecgr1 model: config, tensors, types, size, provenance");
  sub->add_option("model", f->model, "Model file (.ecgr1); default $ECGR1_MODEL or " + std::string(kDefaultModelPath));
  sub->add_flag("--json", f->json, "Print one JSON object");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
