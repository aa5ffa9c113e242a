// cmd_bench.cc — `ecgr1 bench -m MODEL | --synthetic 8b [--type q4]`: speed
// and memory, measured honestly.
//
// On a model file, or on a synthetic one (random weights of the real shapes,
// generated in memory in the requested type; convert/synthetic.h): prefill
// tokens/s at -p tokens, decode tokens/s over -n tokens, ECG-tower time for
// one 12 x 5000 record, vision-encoder time for a maximum-budget image (768
// merged tokens), time to first token for a signal + image prompt, peak RSS
// (VmHWM; reset after a synthetic model is generated, so only its use counts),
// and the machine's measured read bandwidth with the resulting fraction of the
// decode ceiling (bandwidth / stored bytes of weights read per token). Every
// session gets a KV cache of --ctx tokens (default: enough for each run).
// Each timing is repeated -r times: median and spread. Inputs are synthetic
// (random token ids, a sine-and-noise ECG, a noise image): speed does not
// depend on what the numbers mean. `--only` picks phases; text output prints
// each phase's result as soon as it is measured, and a progress line on
// stderr (a terminal only) says what runs, how far it is and the time left.
#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/progress.h"
#include "base/error.h"
#include "base/memory_bandwidth.h"
#include "kernels/cpu_features.h"
#include "kernels/ops.h"
#include "convert/synthetic.h"
#include "base/mapped_file.h"
#include "engine/batch_decoder.h"
#include "engine/draft_replay.h"
#include "engine/drafter.h"
#include "engine/ecg_inputs.h"
#include "engine/image_inputs.h"
#include "engine/model.h"
#include "engine/session.h"
#include "model/tensor_table.h"
#include "preprocess/image_preprocess.h"
#include "text/prompt.h"

namespace ecgr1 {
namespace {

struct BenchFlags {
  std::string model, synthetic, type;
  int threads = 0, reps = 3, prompt = 512, decode = 128, ctx = 0;
  std::vector<std::string> only;  // phases to run (empty: all but replay; with --draft-replay: replay)
  std::vector<std::string> draft_replay;  // earlier outputs (JSONL or text) to replay the drafter over
  std::string tokenizer;                  // tokenizer for the replay (tokenizer.json or .ecgr1)
  int draft_max = 0;  // 0: kernels::DraftTokensHint()
  int batch = 0;  // records decoding together in the batch phase (0: no batch phase)
  bool json = false;
};

// Widths of the verification passes timed by the verify phase.
const std::vector<size_t>& VerifyWidths() {
  static const std::vector<size_t> w = {1, 2, 3, 4, 5, 6, 8, 12, 16};
  return w;
}

// Cost of a pass of w rows, linear between the measured widths.
double PassCost(const std::vector<double>& ms, size_t w) {
  const std::vector<size_t>& ws = VerifyWidths();
  for (size_t i = 0; i + 1 < ws.size(); ++i)
    if (w <= ws[i + 1]) {
      const double f = static_cast<double>(w - ws[i]) / static_cast<double>(ws[i + 1] - ws[i]);
      return (1 - f) * ms[i] + f * ms[i + 1];
    }
  return ms.back() * static_cast<double>(w) / static_cast<double>(ws.back());
}

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

// The tensors one decode step streams in full: every text-decoder layer
// (matrices and norms), the final norm and lm_head.
std::vector<std::pair<const void*, size_t>> DecodeStreamedTensors(const Model& model) {
  std::vector<std::pair<const void*, size_t>> r;
  for (const TensorView& t : model.file().tensors()) {
    const TensorPart part = PartOf(t.name);
    if (part == TensorPart::kTextLayerMatrix || part == TensorPart::kTextVector || part == TensorPart::kLmHead)
      r.emplace_back(t.data, static_cast<size_t>(t.nbytes));
  }
  return r;
}

// Bytes of weights one decode step reads, as stored: the tensors above and
// one embedding row (all of the embedding when it is lm_head too).
uint64_t WeightBytesPerToken(const Model& model) {
  uint64_t b = 0;
  const TensorView* embed = nullptr;
  bool lm_head = false;
  for (const TensorView& t : model.file().tensors()) {
    switch (PartOf(t.name)) {
      case TensorPart::kTextLayerMatrix:
      case TensorPart::kTextVector:
        b += t.nbytes;
        break;
      case TensorPart::kLmHead:
        b += t.nbytes;
        lm_head = true;
        break;
      case TensorPart::kEmbedding:
        embed = &t;
        break;
      default:
        break;
    }
  }
  if (embed != nullptr) b += lm_head ? embed->nbytes / std::max<uint64_t>(1, embed->dim(0)) : embed->nbytes;
  return b;
}

// The weight type the file was made for: provenance.weight_type, else the
// type of the first text-decoder matrix.
std::string WeightType(const Model& model) {
  const nlohmann::json& m = model.file().metadata();
  if (m.contains("provenance") && m["provenance"].is_object() && m["provenance"].contains("weight_type") &&
      m["provenance"]["weight_type"].is_string())
    return m["provenance"]["weight_type"].get<std::string>();
  for (const TensorView& t : model.file().tensors())
    if (PartOf(t.name) == TensorPart::kTextLayerMatrix) return Info(t.dtype).name;
  return "?";
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

// The process's peak resident set (VmHWM), in bytes.
double PeakRssBytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) * 1024.0;
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;
}

// Resets the peak to the current resident set (Linux: clear_refs 5), so that
// generating a synthetic model does not count; false if not possible.
bool ResetPeakRss() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  f.flush();
  return f.good();
}

// The phases `--only` selects, in the order they run.
const std::vector<std::string>& PhaseNames() {
  static const std::vector<std::string> names = {"prefill", "decode", "verify", "batch", "tower", "vision", "ttft", "replay"};
  return names;
}

int Run(const BenchFlags& f) {
  SetThreads(f.threads);
  if (!f.synthetic.empty() && !f.model.empty())
    Fail(ExitCode::kUsage, "bench: give a model file (-m) or --synthetic, not both");
  if (f.synthetic.empty() && !f.type.empty())
    Fail(ExitCode::kUsage, "bench: --type chooses the weights of a --synthetic model; a model file has its own");
  const bool replay = !f.draft_replay.empty();
  auto wanted = [&f, replay](const char* phase) {
    const std::string p = phase;
    if (f.only.empty()) return replay ? p == "replay" : p != "replay" && (p != "batch" || f.batch > 0);
    return std::find(f.only.begin(), f.only.end(), phase) != f.only.end();
  };
  if (wanted("replay") && !replay) Fail(ExitCode::kUsage, "bench: the replay phase needs --draft-replay FILE");
  if (wanted("batch") && f.batch < 1) Fail(ExitCode::kUsage, "bench: the batch phase needs --batch B");
  if (!f.tokenizer.empty() && !replay) Fail(ExitCode::kUsage, "bench: --tokenizer is for --draft-replay");
  const bool do_prefill = wanted("prefill"), do_decode = wanted("decode");
  if (f.ctx > 0 && f.ctx < std::max(do_prefill ? f.prompt + 1 : 0, do_decode ? 16 + f.decode : 0))
    Fail(ExitCode::kUsage, "bench: --ctx %d is too small: prefill needs %d, decode %d tokens", f.ctx, f.prompt + 1,
         16 + f.decode);
  ProgressLine progress(true);
  const auto t_load = Clock::now();
  SyntheticModel synthetic;
  std::unique_ptr<Model> loaded;
  bool peak_reset = false;
  if (!f.synthetic.empty()) {
    const DType type = FindDTypeByName(f.type.empty() ? "q4" : f.type)->type;  // CLI admits only known names
    if (progress.enabled()) progress.Start("generating the synthetic model");
    synthetic = MakeSyntheticModel(f.synthetic, type,
                                   progress.enabled() ? ProgressFn([&progress](uint64_t done, uint64_t total) {
                                     const double fr = total ? static_cast<double>(done) / static_cast<double>(total) : 1;
                                     char buf[64];
                                     std::snprintf(buf, sizeof buf, "%.1f of %.1f GB", static_cast<double>(done) / 1e9,
                                                   static_cast<double>(total) / 1e9);
                                     progress.Update(fr, buf);
                                   })
                                                      : ProgressFn());
    progress.Clear();
    peak_reset = ResetPeakRss();
  } else {
    loaded = std::make_unique<Model>(FindModel(f.model));
  }
  const Model& model = synthetic.model ? *synthetic.model : *loaded;
  model.file().Prefetch();
  const double load_ms = MsSince(t_load) - synthetic.generate_ms;  // opening (and prefetching) the file
  const int threads = f.threads > 0 ? f.threads : omp_get_max_threads();
  const int reps = std::max(1, f.reps);
  const bool ecg = model.config().has_ecg, vision = model.config().has_vision;
  const bool do_tower = ecg && wanted("tower"), do_vision = vision && wanted("vision");
  const bool do_ttft = (ecg || vision) && wanted("ttft");
  const bool do_verify = wanted("verify"), do_replay = wanted("replay"), do_batch = wanted("batch");

  // The signal + image prompt (for the time to first token), built first: the
  // KV cache capacity must hold it as well as -p and 16 + -n tokens.
  const std::vector<EcgTowerInput> ecgs = ecg ? std::vector<EcgTowerInput>{SyntheticEcg(model)} : std::vector<EcgTowerInput>{};
  const std::vector<ImageInput> images = vision ? std::vector<ImageInput>{SyntheticImage(model)} : std::vector<ImageInput>{};
  PromptPlan plan;
  if (ecg || vision) {
    PromptInputs in;
    in.n_ecg = static_cast<int>(ecgs.size());
    in.ecg_tokens = static_cast<int>(model.config().ecg.tokens());
    for (const ImageInput& im : images) in.image_grids.push_back(im.merged_grid(static_cast<int>(model.config().vision.merge)));
    const std::vector<ChatMessage> messages =
        WithDefaultSystem({{"user", DefaultUserText("", in.n_ecg, static_cast<int>(images.size()))}});
    plan = BuildPrompt(model.tokenizer(), messages, in);
  }
  const size_t need_prefill = do_prefill ? static_cast<size_t>(f.prompt) + 1 : 0;
  const size_t need_decode = do_decode ? 16 + static_cast<size_t>(f.decode) : 0;
  const size_t need_ttft = do_ttft ? plan.ids.size() + 1 : 0;
  const size_t need_verify = do_verify ? 16 + VerifyWidths().back() : 0;
  size_t ctx = static_cast<size_t>(f.ctx);
  if (ctx == 0) ctx = std::max({static_cast<size_t>(f.prompt + f.decode), need_prefill, need_decode, need_ttft, need_verify});
  if (ctx < std::max({need_prefill, need_decode, need_ttft, need_verify}))
    Fail(ExitCode::kUsage, "bench: --ctx %zu is too small: prefill needs %zu, decode %zu, the signal + image prompt %zu tokens",
         ctx, need_prefill, need_decode, need_ttft);

  const ModelConfig& mc = model.config();
  const TextConfig& tc = mc.text;
  const std::string type = WeightType(model);
  const bool is_synthetic = synthetic.model != nullptr;
  // Text mode prints each result as soon as it is measured: a long run on a
  // slow machine shows its numbers as it goes.
  auto say = [&f, &progress](const char* fmt, auto... args) {
    if (f.json) return;
    progress.Clear();
    std::printf(fmt, args...);
    std::fflush(stdout);
  };
  if (is_synthetic)
    say("model         SYNTHETIC %s: random %s weights %s (%lld layers, d %lld, vocab %lld), "
        "%.2f GB generated in %.1f s in %s (deleted)\n",
        synthetic.size.c_str(), type.c_str(), synthetic.size == "tiny" ? "of a tiny test model" : "of the real shapes",
        (long long)tc.layers, (long long)tc.hidden, (long long)tc.vocab,
        static_cast<double>(synthetic.file_bytes) / 1e9, synthetic.generate_ms / 1e3, synthetic.folder.c_str());
  else
    say("model         %s (%s weights%s)\n", model.path().c_str(), type.c_str(), model.random_weights() ? ", RANDOM" : "");
  say("run           %d threads, %d repetitions (median [min-max]), KV cache %zu tokens, ISA %s: kernels %s, "
      "q8/q4 %s, bf16 %s\n",
      threads, reps, ctx, kernels::IsaName(kernels::MaxIsa()), kernels::TargetName(), kernels::QuantPathName(),
      kernels::Bf16PathName());

  // Progress inside a prefill: the decoder reports each layer's output.
  const size_t layers = static_cast<size_t>(tc.layers);
  DecoderHooks layer_progress;
  std::string phase_detail;
  if (progress.enabled())
    layer_progress.on_layer_out = [&](int layer, const float*, size_t) {
      progress.Update(static_cast<double>(layer + 1) / static_cast<double>(layers),
                      phase_detail + "layer " + std::to_string(layer + 1) + "/" + std::to_string(layers));
    };
  auto rep_detail = [reps](int r) { return reps > 1 ? "repetition " + std::to_string(r + 1) + "/" + std::to_string(reps) + ", " : std::string(); };

  // Prefill at -p tokens.
  std::vector<double> prefill, decode, bandwidths, fractions;
  GenerateOptions opt;
  opt.stop_ids = {-1};
  opt.draft = false;  // decode measures the one-token step; verify and replay measure drafting
  if (do_prefill) {
    for (int r = 0; r < reps; ++r) {
      progress.Start("prefill of " + std::to_string(f.prompt) + " tokens");
      phase_detail = rep_detail(r);
      Session s(model, ctx);
      opt.max_new_tokens = 1;
      opt.hooks = &layer_progress;
      const GenerateResult g = s.Generate(RandomPrompt(model, f.prompt, 100 + r), opt);
      prefill.push_back(1000.0 * f.prompt / g.prefill_ms);
    }
    opt.hooks = nullptr;
    const Spread pf = SpreadOf(prefill);
    say("prefill       %.1f tokens/s at %d tokens [%.1f-%.1f]\n", pf.median, f.prompt, pf.min, pf.max);
  }

  // Decode over -n tokens (greedy, no stop token), each run judged against the
  // bandwidth of the very pages it streams.
  const std::vector<std::pair<const void*, size_t>> streamed = DecodeStreamedTensors(model);
  const double bytes_per_token = static_cast<double>(WeightBytesPerToken(model));
  double bandwidth = NAN, fraction = NAN, ceiling = NAN;
  if (do_decode) {
    for (int r = 0; r < reps; ++r) {
      progress.Start("decode of " + std::to_string(f.decode) + " tokens");
      const std::string detail = rep_detail(r);
      const auto t0 = Clock::now();
      opt.on_token = [&](size_t k) {
        const double s = MsSince(t0) / 1e3;
        char buf[96];
        std::snprintf(buf, sizeof buf, "token %zu/%d, %.2f tokens/s", k, f.decode, s > 0 ? static_cast<double>(k) / s : 0.0);
        progress.Update(static_cast<double>(k) / f.decode, detail + buf);
      };
      Session s(model, ctx);
      opt.max_new_tokens = f.decode;
      const GenerateResult g = s.Generate(RandomPrompt(model, 16, 200 + r), opt);
      if (g.tokens.size() >= 2) decode.push_back(1000.0 * static_cast<double>(g.tokens.size() - 1) / g.decode_ms);
      // The bandwidth of the same pages, right after: on a shared VM it drifts
      // (35-52 GB/s seen within an hour), so each run is judged against its own.
      progress.Start("measuring the read bandwidth of the weights");
      const double bw = MeasureReadBandwidthOf(streamed, 3);
      bandwidths.push_back(bw);
      if (g.tokens.size() >= 2 && bw > 0) fractions.push_back(decode.back() * bytes_per_token / bw);
    }
    opt.on_token = nullptr;
    bandwidth = SpreadOf(bandwidths).median;
    ceiling = bytes_per_token > 0 ? bandwidth / bytes_per_token : NAN;
    fraction = fractions.empty() ? NAN : SpreadOf(fractions).median;
    const Spread dc = SpreadOf(decode);
    say("decode        %.2f tokens/s over %d tokens [%.2f-%.2f]\n", dc.median, f.decode, dc.min, dc.max);
    say("ceiling       %.2f tokens/s = %.1f GB/s reading the weights a decode step streams (after each run) / %.1f MB "
        "of weights per token: %.0f %% reached (median of runs)%s\n",
        ceiling, bandwidth / 1e9, bytes_per_token / 1e6, 100 * fraction,
        fraction <= 1 ? ""
        : bytes_per_token < 64e6 ? " (the weights fit in the caches: the memory ceiling does not bind)"
                                 : " (above 100 %: the bandwidth measured low; was the machine busy?)");
  }

  // Verification passes of w = 1..16 rows after a 16-token prompt: what a
  // decode step costs when it also checks w - 1 draft tokens (every weight
  // matrix is still read once; the lm_head gives logits for every row).
  std::vector<double> verify_ms;
  if (do_verify) {
    Session s(model, ctx);
    GenerateOptions o = opt;
    o.max_new_tokens = 1;
    s.Generate(RandomPrompt(model, 16, 300), o);
    KvCache& cache = s.cache();
    const size_t base = cache.size(), d = static_cast<size_t>(tc.hidden), vocab = static_cast<size_t>(tc.vocab);
    const size_t wmax = VerifyWidths().back();
    std::vector<float> x(wmax * d), logits(wmax * vocab);
    const PromptPlan ids = RandomPrompt(model, static_cast<int>(wmax), 301);
    auto pass = [&](size_t w) {
      Positions pos;
      for (size_t j = 0; j < w; ++j) pos.Push(static_cast<int64_t>(base + j), static_cast<int64_t>(base + j), static_cast<int64_t>(base + j));
      const auto t0 = Clock::now();
      s.decoder().Embed(ids.ids.data(), w, x.data());
      s.decoder().Steps(x.data(), w, pos, {SeqRows{&cache, 0, w}});
      s.decoder().Logits(x.data(), w, logits.data());
      const double ms = MsSince(t0);
      cache.Truncate(base);
      return ms;
    };
    pass(1);  // the weights' pages in
    for (size_t w : VerifyWidths()) {
      progress.Start("verification pass of " + std::to_string(w) + " tokens");
      std::vector<double> t;
      for (int r = 0; r < std::max(reps, 3); ++r) t.push_back(pass(w));
      verify_ms.push_back(SpreadOf(t).median);
    }
    say("%s", "verify        pass of w tokens, ms (x one-token step):");
    for (size_t i = 0; i < VerifyWidths().size(); ++i)
      say(" %zu: %.1f (%.2fx)", VerifyWidths()[i], verify_ms[i], verify_ms[i] / verify_ms[0]);
    say("%s", "\n");
  }

  // Batched decoding: B records of 16 random prompt tokens decode -n tokens
  // each, together (one decoder pass per step for all of them), no drafts.
  std::vector<double> batch_tps;
  if (do_batch) {
    const size_t B = static_cast<size_t>(f.batch);
    std::vector<PromptPlan> prompts;
    for (size_t i = 0; i < B; ++i) prompts.push_back(RandomPrompt(model, 16, static_cast<uint32_t>(400 + i)));
    for (int r = 0; r < reps; ++r) {
      progress.Start("batched decode of " + std::to_string(B) + " x " + std::to_string(f.decode) + " tokens");
      BatchDecoder batch(model, B, 16 + static_cast<size_t>(f.decode));
      size_t tokens = 0;
      GenerateOptions o = opt;
      o.max_new_tokens = f.decode;
      o.hooks = nullptr;
      for (const PromptPlan& p : prompts) batch.Start(p, o, [&tokens](GenerateResult&& g) { tokens += g.tokens.size() - 1; });
      const auto t0 = Clock::now();  // decode only: the prefills ran in Start
      size_t steps = 0;
      while (batch.active() > 0) {
        batch.Step();
        ++steps;
        progress.Update(static_cast<double>(steps) / f.decode, rep_detail(r) + "step " + std::to_string(steps));
      }
      batch_tps.push_back(1000.0 * static_cast<double>(tokens) / MsSince(t0));
    }
    const Spread b = SpreadOf(batch_tps);
    say("batch         %.2f tokens/s aggregate, %d records decoding together (%.2f each) [%.2f-%.2f]%s\n", b.median,
        f.batch, b.median / f.batch, b.min, b.max,
        decode.empty() ? "" : StrFormat(": %.2fx one record's decode", b.median / SpreadOf(decode).median).c_str());
  }

  // ECG tower, vision encoder, and time to first token for a signal + image prompt.
  const size_t hidden = static_cast<size_t>(tc.hidden);
  std::vector<double> ecg_ms, vision_ms, ttft_ms;
  if (do_tower) {
    for (int r = 0; r < reps; ++r) {
      progress.Start("ECG tower");
      const auto t0 = Clock::now();
      EncodeEcgs(model, ecgs);
      ecg_ms.push_back(MsSince(t0));
    }
    say("ECG tower     %.1f ms (12 x 5000 samples)\n", SpreadOf(ecg_ms).median);
  }
  auto vision_progress = [&](const std::string& detail) {
    return [&progress, detail](size_t done, size_t total) {
      progress.Update(static_cast<double>(done) / static_cast<double>(total),
                      detail + "block " + std::to_string(done) + "/" + std::to_string(total));
    };
  };
  if (do_vision) {
    for (int r = 0; r < reps; ++r) {
      progress.Start("vision encoder, 768 image tokens");
      const auto t0 = Clock::now();
      EncodeImages(model, images, vision_progress(rep_detail(r)));
      vision_ms.push_back(MsSince(t0));
    }
    say("vision        %.1f ms (768 merged image tokens)\n", SpreadOf(vision_ms).median);
  }
  if (do_ttft) {
    for (int r = 0; r < reps; ++r) {
      progress.Start("first token of a signal + image prompt");
      phase_detail = rep_detail(r) + "prefill, ";
      const auto t0 = Clock::now();
      const std::vector<std::vector<float>> rows = EncodeEcgs(model, ecgs);
      const std::vector<VisionOutput> vis = EncodeImages(model, images, vision_progress(rep_detail(r) + "vision, "));
      DecoderHooks hooks = layer_progress;
      if (!vis.empty()) hooks.deepstack = DeepstackHook(plan, vis, hidden);
      GenerateOptions o;
      o.max_new_tokens = 1;
      o.stop_ids = {-1};
      o.hooks = &hooks;
      o.patch_embeddings = [&](float* e, size_t) {
        if (!rows.empty()) ScatterEcgRows(plan, rows, hidden, e);
        if (!vis.empty()) ScatterImageRows(plan, vis, hidden, e);
      };
      Session s(model, ctx);
      s.Generate(plan, o);
      ttft_ms.push_back(MsSince(t0));
    }
    say("first token   %.1f ms (signal + image prompt of %zu tokens, from the encoders on)\n", SpreadOf(ttft_ms).median,
        plan.ids.size());
  }
  progress.Clear();

  // The drafter replayed over real outputs (only the tokenizer is needed),
  // and what it predicts for decode speed with the passes measured above.
  ReplayResult file_order, leave_one_out;
  nlohmann::json replay_json = nullptr;
  double predicted_800 = NAN;
  if (do_replay) {
    progress.Start("replaying the drafter");
    Tokenizer hf_tok;
    std::unique_ptr<Model> tok_model;
    const Tokenizer* tok = &model.tokenizer();
    if (!f.tokenizer.empty()) {
      if (f.tokenizer.size() >= 5 && f.tokenizer.compare(f.tokenizer.size() - 5, 5, ".json") == 0) {
        hf_tok = Tokenizer::FromHuggingFace(ReadSmallFile(f.tokenizer, ExitCode::kBadInput, 64u << 20), f.tokenizer);
        tok = &hf_tok;
      } else {
        tok_model = std::make_unique<Model>(f.tokenizer);
        tok = &tok_model->tokenizer();
      }
    }
    std::vector<std::vector<int32_t>> outs;
    for (const std::string& path : f.draft_replay)
      for (const std::string& text : ReadOutputTexts(path)) outs.push_back(tok->Encode(text, false));
    if (outs.empty()) Fail(ExitCode::kBadInput, "%s: no outputs to replay", f.draft_replay.front().c_str());
    const std::vector<int32_t> prompt =
        BuildPrompt(*tok, WithDefaultSystem({{"user", DefaultUserText("", 0, 0)}}), PromptInputs{}).ids;
    const size_t k = f.draft_max > 0 ? static_cast<size_t>(f.draft_max) : kernels::DraftTokensHint();
    file_order = ReplayDrafts(outs, prompt, k, false);
    leave_one_out = ReplayDrafts(outs, prompt, k, true);
    auto one = [&](const ReplayResult& r) {
      nlohmann::json j = {{"outputs", r.outputs}, {"tokens", r.tokens}, {"steps", r.steps}, {"drafted", r.drafted},
                          {"accepted", r.accepted}, {"tokens_per_step", r.tokens_per_step()},
                          {"steps_by_width", r.steps_by_width}, {"predicted_decode_tokens_per_s", nullptr}};
      double ms = 0;
      if (!verify_ms.empty() && r.steps > 0) {
        for (size_t w = 1; w < r.steps_by_width.size(); ++w) ms += static_cast<double>(r.steps_by_width[w]) * PassCost(verify_ms, w);
        j["predicted_decode_tokens_per_s"] = 1000.0 * static_cast<double>(r.tokens) / ms;
      }
      return j;
    };
    replay_json = {{"files", f.draft_replay}, {"draft_max", k}, {"file_order", one(file_order)},
                   {"leave_one_out", one(leave_one_out)}};
    progress.Clear();
    say("draft replay  %zu outputs, %zu tokens: %.2f tokens per verification step in file order, %.2f leave-one-out\n",
        file_order.outputs, file_order.tokens, file_order.tokens_per_step(), leave_one_out.tokens_per_step());
    if (!verify_ms.empty()) {
      const double fo = replay_json["file_order"]["predicted_decode_tokens_per_s"].get<double>();
      const double lo = replay_json["leave_one_out"]["predicted_decode_tokens_per_s"].get<double>();
      say("predicted     decode %.2f tokens/s in file order, %.2f leave-one-out (one-token step %.2f tokens/s)\n", fo, lo,
          1000.0 / verify_ms[0]);
      // A signal-only interpretation of 800 tokens: ECG tower, prefill of its
      // prompt at the measured prefill rate, 799 decode tokens at the
      // leave-one-out rate (a store of earlier outputs, as a batch builds up).
      if (!prefill.empty() && !ecg_ms.empty()) {
        PromptInputs in;
        in.n_ecg = 1;
        in.ecg_tokens = static_cast<int>(model.config().ecg.tokens());
        const size_t L = BuildPrompt(model.tokenizer(), WithDefaultSystem({{"user", DefaultUserText("", 1, 0)}}), in).ids.size();
        predicted_800 = SpreadOf(ecg_ms).median / 1e3 + static_cast<double>(L) / SpreadOf(prefill).median + 799.0 / lo;
        say("predicted     a signal-only interpretation of 800 tokens: %.1f s (ECG tower %.2f s, prefill of %zu tokens "
            "%.1f s, decode %.1f s)\n", predicted_800, SpreadOf(ecg_ms).median / 1e3, L,
            static_cast<double>(L) / SpreadOf(prefill).median, 799.0 / lo);
      }
    }
  }

  const double peak_rss = PeakRssBytes();  // before the bandwidth test's own 1 GiB buffer
  // Fresh anonymous memory's bandwidth, beside the mapped weights' (its page
  // size can differ, and with it the bandwidth a VM delivers).
  const double bandwidth_anon = do_decode ? MeasureReadBandwidth() : NAN;
  if (do_decode) say("bandwidth     %.1f GB/s reading fresh anonymous memory (for comparison)\n", bandwidth_anon / 1e9);
  say("memory        peak RSS %.1f MB (file %.1f MB%s), load %.0f ms\n", peak_rss / 1e6,
      static_cast<double>(model.file().file_size()) / 1e6,
      is_synthetic && !peak_reset ? "; the peak includes generating the synthetic model" : "", load_ms);
  if (!f.json) return 0;

  const Spread pf = SpreadOf(prefill), dc = SpreadOf(decode);
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  nlohmann::json shapes = {{"hidden", tc.hidden}, {"layers", tc.layers}, {"heads", tc.heads},
                           {"kv_heads", tc.kv_heads}, {"head_dim", tc.head_dim}, {"intermediate", tc.intermediate},
                           {"vocab", tc.vocab}};
  if (vision)
    shapes["vision"] = {{"depth", mc.vision.depth}, {"hidden", mc.vision.hidden}, {"heads", mc.vision.heads},
                        {"intermediate", mc.vision.intermediate}};
  if (ecg) shapes["ecg"] = {{"width", mc.ecg.width}, {"layers", mc.ecg.layers}, {"head_width", mc.ecg.head_width}};
  const nlohmann::json j = {
      {"model", is_synthetic ? nlohmann::json(nullptr) : nlohmann::json(model.path())},
      {"synthetic", is_synthetic ? nlohmann::json(synthetic.size) : nlohmann::json(nullptr)},
      {"synthetic_generation_ms", is_synthetic ? nlohmann::json(synthetic.generate_ms) : nlohmann::json(nullptr)},
      {"random_weights", model.random_weights()},
      {"type", type},
      {"weight_type", type},
      {"threads", threads},
      {"repetitions", reps},
      {"phases", f.only.empty() ? nlohmann::json(PhaseNames()) : nlohmann::json(f.only)},
      {"ctx", ctx},
      {"shapes", shapes},
      {"load_ms", load_ms},
      {"prefill_tokens", f.prompt},
      {"prefill_tokens_per_s", number(pf.median)},
      {"prefill_tokens_per_s_spread", ToJson(pf)},
      {"decode_tokens", f.decode},
      {"decode_tokens_per_s", number(dc.median)},
      {"decode_tokens_per_s_spread", ToJson(dc)},
      {"weight_bytes_per_token", bytes_per_token},
      {"bandwidth_bytes_per_s", number(bandwidth)},
      {"bandwidth_source", "mapped weights"},
      {"bandwidth_anonymous_bytes_per_s", number(bandwidth_anon)},
      {"decode_ceiling_tokens_per_s", number(ceiling)},
      {"decode_ceiling_fraction", number(fraction)},
      {"decode_ceiling_fraction_spread", ToJson(SpreadOf(fractions))},
      {"kernel_target", kernels::TargetName()},
      {"isa", kernels::IsaName(kernels::MaxIsa())},
      {"quant_path", kernels::QuantPathName()},
      {"bf16_path", kernels::Bf16PathName()},
      {"ecg_tower_ms", do_tower ? number(SpreadOf(ecg_ms).median) : nlohmann::json(nullptr)},
      {"vision_ms", do_vision ? number(SpreadOf(vision_ms).median) : nlohmann::json(nullptr)},
      {"vision_tokens", vision ? nlohmann::json(768) : nlohmann::json(nullptr)},
      {"ttft_ms", do_ttft ? number(SpreadOf(ttft_ms).median) : nlohmann::json(nullptr)},
      {"batch", do_batch ? nlohmann::json(f.batch) : nlohmann::json(nullptr)},
      {"batch_decode_tokens_per_s", do_batch ? number(SpreadOf(batch_tps).median) : nlohmann::json(nullptr)},
      {"verify_pass_ms", do_verify ? nlohmann::json(verify_ms) : nlohmann::json(nullptr)},
      {"verify_widths", VerifyWidths()},
      {"draft_replay", replay_json},
      {"predicted_interpretation_800_tokens_s", number(predicted_800)},
      {"peak_rss_bytes", peak_rss},
      {"peak_rss_includes_generation", is_synthetic && !peak_reset},
      {"file_bytes", model.file().file_size()},
  };
  std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace

Command AddBenchCommand(CLI::App& app) {
  auto f = std::make_shared<BenchFlags>();
  CLI::App* sub = app.add_subcommand(
      "bench", "Measure speed and memory of a model: prefill, decode (and its share of the memory-bandwidth "
               "ceiling), ECG tower, vision encoder, time to first token, peak RSS");
  sub->add_option("-m,--model", f->model, "Model file (.ecgr1); default: $ECGR1_MODEL, then weights/");
  sub->add_option("--synthetic", f->synthetic,
                  "Instead of a file: random weights of the real ECG-R1-8B shapes (8b) or a tiny test model (tiny), "
                  "generated in memory (a temporary file in /dev/shm, deleted at once)")
      ->check(CLI::IsMember(SyntheticSizes()));
  sub->add_option("--type", f->type, "Weight type of the --synthetic model (default q4), stored by convert-weights' policy")
      ->check(CLI::IsMember({"f32", "bf16", "q8", "q4"}));
  sub->add_option("--ctx", f->ctx, "KV cache capacity in tokens (default: enough for each run, at least -p + -n)")
      ->check(CLI::Range(0, 1 << 20));
  sub->add_option("-t,--threads", f->threads, "Threads (default: all cores)")->check(CLI::Range(0, 1024));
  sub->add_option("-r,--repetitions", f->reps, "Repetitions of each timing (median and spread)")
      ->check(CLI::Range(1, 1000));
  sub->add_option("-p,--prompt-tokens", f->prompt, "Prefill length in tokens")->check(CLI::Range(1, 32768));
  sub->add_option("-n,--decode-tokens", f->decode, "Decode length in tokens")->check(CLI::Range(2, 32768));
  sub->add_option("--draft-replay", f->draft_replay,
                  "Replay the drafter over earlier outputs (JSONL with \"text\"/\"response\" per line, or text files): "
                  "tokens per verification step in file order and leave-one-out (alone: only the tokenizer is used)")
      ->allow_extra_args(false);
  sub->add_option("--tokenizer", f->tokenizer, "Tokenizer for --draft-replay: a tokenizer.json or an .ecgr1 file "
                                               "(default: the model's)");
  sub->add_option("--batch", f->batch, "Also measure batched decoding: B records decoding -n tokens together "
                                       "(aggregate tokens/s)")
      ->check(CLI::Range(1, 256));
  sub->add_option("--draft-max", f->draft_max, "Longest draft for --draft-replay (default: interpret's for this CPU)")
      ->check(CLI::Range(1, 16));
  sub->add_option("--only", f->only, "Run only these phases, comma-separated: prefill, decode, verify, batch, tower, "
                                     "vision, ttft, replay (default: all but replay, batch with --batch; with "
                                     "--draft-replay: replay)")
      ->delimiter(',')
      ->check(CLI::IsMember(PhaseNames()));
  sub->add_flag("--json", f->json, "Print one JSON object (progress still goes to stderr when it is a terminal)");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
