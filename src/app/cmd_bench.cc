// cmd_bench.cc — `ecgr1 bench -m MODEL`: speed and memory, measured honestly.
//
// On a model file: prefill tokens/s at -p tokens, decode tokens/s over -n
// tokens, ECG-tower time for one 12 x 5000 record, vision-encoder time for a
// maximum-budget image (768 merged tokens), time to first token for a
// signal + image prompt, peak RSS, and the machine's measured read bandwidth
// with the resulting fraction of the decode ceiling (bandwidth / bytes of
// weights read per token). Each timing is repeated -r times: median and spread.
// Inputs are synthetic (random token ids, a sine-and-noise ECG, a noise image):
// speed does not depend on what the numbers mean.
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "base/error.h"
#include "base/memory_bandwidth.h"
#include "engine/ecg_inputs.h"
#include "engine/image_inputs.h"
#include "engine/model.h"
#include "engine/session.h"
#include "preprocess/image_preprocess.h"
#include "text/prompt.h"

namespace ecgr1 {
namespace {

struct BenchFlags {
  std::string model;
  int threads = 0, reps = 3, prompt = 512, decode = 128;
  bool json = false;
};

using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// Median, min and max of repeated measurements.
struct Spread {
  double median = NAN, min = NAN, max = NAN;
};
Spread SpreadOf(std::vector<double> v) {
  Spread s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.median = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  return s;
}
nlohmann::json ToJson(const Spread& s) {
  if (!std::isfinite(s.median)) return nullptr;
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}};
}

// A plain text prompt of n random ids (no special tokens), positions 0..n-1.
PromptPlan RandomPrompt(const Model& model, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  const int vocab = std::min<int>(static_cast<int>(model.tokenizer().size()), static_cast<int>(model.config().text.vocab));
  std::uniform_int_distribution<int> id(0, std::max(0, std::min(vocab, 150000) - 1));
  PromptPlan p;
  for (int i = 0; i < n; ++i) {
    p.ids.push_back(id(rng));
    p.positions.Push(i, i, i);
  }
  return p;
}

// Bytes of weights one decode step reads: every text-decoder layer, the final
// norm and lm_head (the embedding contributes one row, not counted).
uint64_t WeightBytesPerToken(const Model& model) {
  uint64_t b = 0;
  for (const TensorView& t : model.file().tensors()) {
    const std::string& n = t.name;
    if (n.rfind("model.language_model.layers.", 0) == 0 || n == "model.language_model.norm.weight" || n == "lm_head.weight")
      b += t.nbytes;
  }
  return b;
}

EcgTowerInput SyntheticEcg(const Model& model) {
  const EcgConfig& c = model.config().ecg;
  EcgTowerInput in;
  in.x.resize(static_cast<size_t>(c.leads * c.seq_length));
  std::mt19937 rng(7);
  std::normal_distribution<float> g(0.0f, 0.02f);
  for (int64_t l = 0; l < c.leads; ++l)
    for (int64_t i = 0; i < c.seq_length; ++i)
      in.x[static_cast<size_t>(l * c.seq_length + i)] =
          static_cast<float>(std::sin(2 * M_PI * 1.2 * static_cast<double>(i) / 500.0)) + g(rng);
  return in;
}

// An image whose resize keeps it at the 768-token budget: 32 x 24 merged tokens.
ImageInput SyntheticImage(const Model& model) {
  const int side = static_cast<int>(model.config().vision.patch * model.config().vision.merge);
  RgbImage im;
  im.width = 32 * side;
  im.height = 24 * side;
  im.rgb.resize(static_cast<size_t>(im.width) * static_cast<size_t>(im.height) * 3);
  std::mt19937 rng(5);
  for (uint8_t& v : im.rgb) v = static_cast<uint8_t>(rng() & 0xFF);
  ImageInput in;
  in.patches = PreprocessImage(im, "synthetic image");
  return in;
}

double PeakRssBytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;
}

int Run(const BenchFlags& f) {
  SetThreads(f.threads);
  const auto t_load = Clock::now();
  const Model model(FindModel(f.model));
  model.file().Prefetch();
  const double load_ms = MsSince(t_load);
  const int threads = f.threads > 0 ? f.threads : omp_get_max_threads();
  const int reps = std::max(1, f.reps);

  // Prefill at -p tokens and decode over -n tokens (greedy, no stop token).
  std::vector<double> prefill, decode;
  GenerateOptions opt;
  opt.stop_ids = {-1};
  for (int r = 0; r < reps; ++r) {
    {
      Session s(model, static_cast<size_t>(f.prompt) + 1);
      opt.max_new_tokens = 1;
      const GenerateResult g = s.Generate(RandomPrompt(model, f.prompt, 100 + r), opt);
      prefill.push_back(1000.0 * f.prompt / g.prefill_ms);
    }
    {
      Session s(model, 16 + static_cast<size_t>(f.decode));
      opt.max_new_tokens = f.decode;
      const GenerateResult g = s.Generate(RandomPrompt(model, 16, 200 + r), opt);
      if (g.tokens.size() >= 2) decode.push_back(1000.0 * static_cast<double>(g.tokens.size() - 1) / g.decode_ms);
    }
  }

  // ECG tower, vision encoder, and time to first token for a signal + image prompt.
  std::vector<double> ecg_ms, vision_ms, ttft_ms;
  const bool ecg = model.config().has_ecg, vision = model.config().has_vision;
  if (ecg || vision) {
    const std::vector<EcgTowerInput> ecgs = ecg ? std::vector<EcgTowerInput>{SyntheticEcg(model)} : std::vector<EcgTowerInput>{};
    const std::vector<ImageInput> images = vision ? std::vector<ImageInput>{SyntheticImage(model)} : std::vector<ImageInput>{};
    PromptInputs in;
    in.n_ecg = static_cast<int>(ecgs.size());
    in.ecg_tokens = static_cast<int>(model.config().ecg.tokens());
    for (const ImageInput& im : images) in.image_grids.push_back(im.merged_grid(static_cast<int>(model.config().vision.merge)));
    const std::vector<ChatMessage> messages =
        WithDefaultSystem({{"user", DefaultUserText("", in.n_ecg, static_cast<int>(images.size()))}});
    const PromptPlan plan = BuildPrompt(model.tokenizer(), messages, in);
    const size_t hidden = static_cast<size_t>(model.config().text.hidden);
    for (int r = 0; r < reps; ++r) {
      const auto t0 = Clock::now();
      const auto t_ecg = Clock::now();
      const std::vector<std::vector<float>> rows = EncodeEcgs(model, ecgs);
      if (ecg) ecg_ms.push_back(MsSince(t_ecg));
      const auto t_vis = Clock::now();
      const std::vector<VisionOutput> vis = EncodeImages(model, images);
      if (vision) vision_ms.push_back(MsSince(t_vis));
      DecoderHooks hooks;
      if (!vis.empty()) hooks.deepstack = DeepstackHook(plan, vis, hidden);
      GenerateOptions o;
      o.max_new_tokens = 1;
      o.stop_ids = {-1};
      o.hooks = &hooks;
      o.patch_embeddings = [&](float* e, size_t) {
        if (!rows.empty()) ScatterEcgRows(plan, rows, hidden, e);
        if (!vis.empty()) ScatterImageRows(plan, vis, hidden, e);
      };
      Session s(model, plan.ids.size() + 1);
      s.Generate(plan, o);
      ttft_ms.push_back(MsSince(t0));
    }
  }

  const double peak_rss = PeakRssBytes();  // before the bandwidth test's own 1 GiB buffer
  const double bandwidth = MeasureReadBandwidth();
  const double bytes_per_token = static_cast<double>(WeightBytesPerToken(model));
  const Spread pf = SpreadOf(prefill), dc = SpreadOf(decode);
  const double ceiling = bytes_per_token > 0 ? bandwidth / bytes_per_token : NAN;
  const double fraction = ceiling > 0 ? dc.median / ceiling : NAN;
  const TextConfig& tc = model.config().text;
  std::string types;
  for (const TensorView& t : model.file().tensors())
    if (t.name == "lm_head.weight") types = Info(t.dtype).name;
  if (f.json) {
    const nlohmann::json j = {
        {"model", model.path()},
        {"random_weights", model.random_weights()},
        {"weight_type", types},
        {"threads", threads},
        {"repetitions", reps},
        {"shapes", {{"hidden", tc.hidden}, {"layers", tc.layers}, {"heads", tc.heads}, {"kv_heads", tc.kv_heads},
                    {"intermediate", tc.intermediate}, {"vocab", tc.vocab}}},
        {"load_ms", load_ms},
        {"prefill_tokens", f.prompt},
        {"prefill_tokens_per_s", pf.median},
        {"prefill_tokens_per_s_spread", ToJson(pf)},
        {"decode_tokens", f.decode},
        {"decode_tokens_per_s", dc.median},
        {"decode_tokens_per_s_spread", ToJson(dc)},
        {"weight_bytes_per_token", bytes_per_token},
        {"bandwidth_bytes_per_s", bandwidth},
        {"decode_ceiling_tokens_per_s", ceiling},
        {"decode_ceiling_fraction", fraction},
        {"ecg_tower_ms", ecg ? nlohmann::json(SpreadOf(ecg_ms).median) : nlohmann::json(nullptr)},
        {"vision_ms", vision ? nlohmann::json(SpreadOf(vision_ms).median) : nlohmann::json(nullptr)},
        {"vision_tokens", vision ? nlohmann::json(768) : nlohmann::json(nullptr)},
        {"ttft_ms", (ecg || vision) ? nlohmann::json(SpreadOf(ttft_ms).median) : nlohmann::json(nullptr)},
        {"peak_rss_bytes", peak_rss},
        {"file_bytes", model.file().file_size()},
    };
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("model         %s (%s weights%s), %d threads, %d repetitions (median [min-max])\n", model.path().c_str(),
              types.c_str(), model.random_weights() ? ", RANDOM" : "", threads, reps);
  std::printf("prefill       %.1f tokens/s at %d tokens [%.1f-%.1f]\n", pf.median, f.prompt, pf.min, pf.max);
  std::printf("decode        %.2f tokens/s over %d tokens [%.2f-%.2f]\n", dc.median, f.decode, dc.min, dc.max);
  std::printf("ceiling       %.2f tokens/s = %.1f GB/s read bandwidth / %.1f MB of weights per token: %.0f %% reached%s\n",
              ceiling, bandwidth / 1e9, bytes_per_token / 1e6, 100 * fraction,
              fraction > 1 ? " (the weights fit in the caches: the memory ceiling does not bind)" : "");
  if (ecg) std::printf("ECG tower     %.1f ms (12 x 5000 samples)\n", SpreadOf(ecg_ms).median);
  if (vision) std::printf("vision        %.1f ms (768 merged image tokens)\n", SpreadOf(vision_ms).median);
  if (ecg || vision) std::printf("first token   %.1f ms (signal + image prompt, from the encoders on)\n", SpreadOf(ttft_ms).median);
  std::printf("memory        peak RSS %.1f MB (file %.1f MB), load %.0f ms\n", peak_rss / 1e6,
              static_cast<double>(model.file().file_size()) / 1e6, load_ms);
  return 0;
}

}  // namespace

Command AddBenchCommand(CLI::App& app) {
  auto f = std::make_shared<BenchFlags>();
  CLI::App* sub = app.add_subcommand(
      "bench", "Measure speed and memory of a model: prefill, decode (and its share of the memory-bandwidth "
               "ceiling), ECG tower, vision encoder, time to first token, peak RSS");
  sub->add_option("-m,--model", f->model, "Model file (.ecgr1); default: $ECGR1_MODEL, then weights/");
  sub->add_option("-t,--threads", f->threads, "Threads (default: all cores)")->check(CLI::Range(0, 1024));
  sub->add_option("-r,--repetitions", f->reps, "Repetitions of each timing (median and spread)")
      ->check(CLI::Range(1, 1000));
  sub->add_option("-p,--prompt-tokens", f->prompt, "Prefill length in tokens")->check(CLI::Range(1, 32768));
  sub->add_option("-n,--decode-tokens", f->decode, "Decode length in tokens")->check(CLI::Range(2, 32768));
  sub->add_flag("--json", f->json, "Print one JSON object");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
