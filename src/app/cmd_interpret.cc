// cmd_interpret.cc — `ecgr1 interpret`: prompt in, streamed reasoning out.
//
// Inputs: ECG records (--ecg, any format the signal readers accept), ECG
// images (--image: PNG, JPEG, BMP) and the prompt text, placed by the tags
// <ecg> / <image> or, without tags, as ECG-R1 was trained. Text mode streams tokens to stdout as they are
// produced; --json prints one object at the end, with a report of how each
// input was handled.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/progress.h"
#include "base/error.h"
#include "base/mapped_file.h"
#include "engine/ecg_inputs.h"
#include "engine/image_inputs.h"
#include "engine/model.h"
#include "engine/session.h"
#include "io/ecg_record.h"
#include "preprocess/ecg_signal.h"
#include "text/prompt.h"

namespace ecgr1 {
namespace {

struct InterpretFlags {
  std::string model, prompt, messages, system;
  std::vector<std::string> ecg, image;
  double fs = 0, ecg_start = 0;
  std::string lead_order = "training";
  bool zero_fill = false, no_resample = false;
  bool system_given = false;
  int max_new = 2048;
  float temperature = 0.0f, top_p = 1.0f, repeat_penalty = 1.0f;
  int top_k = 0;
  uint64_t seed = 0;
  bool sample = false, json = false, special = false;
  int ctx = 0, threads = 0;
  bool no_draft = false;
  int draft_max = 6;
  std::vector<std::string> draft_corpus;
  std::string draft_store;
};

int Run(const InterpretFlags& f, bool temp_given, bool top_k_given, bool top_p_given) {
  SetThreads(f.threads);
  // Read the inputs before loading the model, so bad input fails fast.
  std::vector<EcgTowerInput> ecgs;
  for (const std::string& path : f.ecg) {
    EcgReadOptions ro;
    ro.fs = f.fs;
    EcgSignalOptions so;
    so.lead_order_file = f.lead_order == "file";
    so.zero_fill_missing = f.zero_fill;
    so.resample = !f.no_resample;
    so.start_s = f.ecg_start;
    ecgs.push_back(PrepareEcg(ReadEcgRecord(path, ro), so));
  }
  const int n_ecg = static_cast<int>(ecgs.size());
  std::vector<ImageInput> images;
  for (const std::string& path : f.image) images.push_back(PrepareImage(path));
  const int n_image = static_cast<int>(images.size());
  std::vector<ChatMessage> messages;
  if (!f.messages.empty()) {
    if (!f.prompt.empty()) Fail(ExitCode::kUsage, "give either -p or --messages, not both");
    const std::string text = f.messages == "-" ? TextArgument("-", "--messages")
                                               : ReadSmallFile(f.messages, ExitCode::kBadInput, 64u << 20);
    messages = ParseMessagesJson(text, f.messages == "-" ? "<stdin>" : f.messages);
  } else {
    const std::string text = f.prompt.empty() ? std::string() : TextArgument(f.prompt, "prompt");
    int tags_ecg = 0, tags_image = 0;
    CountTags(text, &tags_ecg, &tags_image);
    const bool tagged = tags_ecg + tags_image > 0;
    messages.push_back({"user", tagged ? text : DefaultUserText(text, n_ecg, n_image)});
  }
  if (f.system_given) {
    if (!messages.empty() && messages.front().role == "system") messages.erase(messages.begin());
    messages.insert(messages.begin(), ChatMessage{"system", f.system});
  }
  messages = WithDefaultSystem(std::move(messages));

  // What is going on, on stderr when it is a terminal: the encoders and the
  // prefill can take minutes on a laptop before the first token.
  ProgressLine progress(true);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string model_path = FindModel(f.model);
  progress.Start("loading " + model_path);
  const Model model(model_path);
  // Every weight is read for every token: start the kernel's readahead now, so
  // it overlaps the ECG/vision work instead of page-faulting in the first token.
  model.file().Prefetch();
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  if (n_ecg > 0 && !model.config().has_ecg)
    Fail(ExitCode::kUsage, "%s has no ECG tower: it cannot read --ecg", model.path().c_str());
  PromptInputs in;
  in.parse_special = f.special;
  in.n_ecg = n_ecg;
  in.ecg_tokens = static_cast<int>(model.config().ecg.tokens());
  if (n_image > 0 && !model.config().has_vision)
    Fail(ExitCode::kUsage, "%s has no vision encoder: it cannot read --image", model.path().c_str());
  for (const ImageInput& im : images) in.image_grids.push_back(im.merged_grid(static_cast<int>(model.config().vision.merge)));
  const PromptPlan plan = BuildPrompt(model.tokenizer(), messages, in);

  const auto t_ecg = std::chrono::steady_clock::now();
  if (n_ecg > 0) progress.Start("ECG tower");
  const std::vector<std::vector<float>> ecg_rows = EncodeEcgs(model, ecgs);
  const double ecg_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_ecg).count();
  const size_t hidden = static_cast<size_t>(model.config().text.hidden);
  const auto t_vis = std::chrono::steady_clock::now();
  if (n_image > 0) progress.Start("vision encoder");
  const std::vector<VisionOutput> vis = EncodeImages(model, images, [&progress](size_t done, size_t total) {
    progress.Update(static_cast<double>(done) / static_cast<double>(total),
                    "block " + std::to_string(done) + "/" + std::to_string(total));
  });
  const double vision_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_vis).count();
  DecoderHooks hooks;
  if (!vis.empty()) hooks.deepstack = DeepstackHook(plan, vis, hidden);
  const size_t layers = static_cast<size_t>(model.config().text.layers);
  if (progress.enabled())
    hooks.on_layer_out = [&progress, layers](int layer, const float*, size_t) {
      progress.Update(static_cast<double>(layer + 1) / static_cast<double>(layers),
                      "layer " + std::to_string(layer + 1) + "/" + std::to_string(layers));
    };

  GenerateOptions opt;
  opt.max_new_tokens = f.max_new;
  opt.hooks = &hooks;
  if (!ecg_rows.empty() || !vis.empty())
    opt.patch_embeddings = [&](float* e, size_t) {
      if (!ecg_rows.empty()) ScatterEcgRows(plan, ecg_rows, hidden, e);
      if (!vis.empty()) ScatterImageRows(plan, vis, hidden, e);
    };
  SamplerConfig& s = opt.sampler;
  if (f.sample) {  // the checkpoint's generation_config.json preset
    s.temperature = model.generation().temperature;
    s.top_k = model.generation().top_k;
    s.top_p = model.generation().top_p;
    s.repetition_penalty = model.generation().repetition_penalty;
  }
  if (temp_given || !f.sample) s.temperature = f.temperature;
  if (top_k_given) s.top_k = f.top_k;
  if (top_p_given) s.top_p = f.top_p;
  if (f.repeat_penalty != 1.0f) s.repetition_penalty = f.repeat_penalty;
  s.seed = f.seed;

  // Drafts for speculative decoding: earlier outputs kept in --draft-store
  // and the texts of --draft-corpus (the request's own text is always used).
  TokenStore store;
  if (!f.draft_store.empty() && ::access(f.draft_store.c_str(), F_OK) == 0)
    store = TokenStore::Load(f.draft_store, model.config().text.vocab);
  for (const std::string& path : f.draft_corpus) AddCorpus(store, model.tokenizer(), path);
  opt.draft = !f.no_draft;
  opt.draft_max = static_cast<size_t>(f.draft_max);
  opt.draft_store = &store;

  const size_t ctx = f.ctx > 0 ? static_cast<size_t>(f.ctx) : plan.ids.size() + static_cast<size_t>(f.max_new);
  if (plan.ids.size() + static_cast<size_t>(f.max_new) > ctx)
    Fail(ExitCode::kUsage, "--ctx %zu is too small: the prompt has %zu tokens and -n allows %d more", ctx,
         plan.ids.size(), f.max_new);
  Session session(model, ctx);
  // Said once everything has been checked, so that errors stay one line.
  progress.Clear();
  if (model.random_weights())
    std::fprintf(stderr, "ecgr1: note: %s is a RANDOM-WEIGHT test or benchmark model; its output is meaningless\n",
                 model.path().c_str());
  for (size_t k = 0; k < ecgs.size(); ++k) {
    const nlohmann::json& rep = ecgs[k].report;
    if (rep.contains("zero_filled") && rep["zero_filled"].is_array() && !rep["zero_filled"].empty())
      std::fprintf(stderr, "ecgr1: note: %s: missing leads %s were filled with zeros\n", f.ecg[k].c_str(),
                   rep["zero_filled"].dump().c_str());
  }
  std::function<void(const std::string&)> stream;
  if (!f.json)
    stream = [&progress](const std::string& piece) {
      progress.Clear();
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
    };
  // While tokens stream to a terminal the text is the progress; otherwise
  // (--json, or stdout to a file or pipe) the line counts tokens.
  const bool text_on_terminal = !f.json && ::isatty(STDOUT_FILENO) == 1;
  std::chrono::steady_clock::time_point t_first;
  if (progress.enabled() && !text_on_terminal)
    opt.on_token = [&](size_t k) {
      if (k == 1) {
        t_first = std::chrono::steady_clock::now();
        progress.Start("generating");
      }
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_first).count();
      char buf[128];
      std::snprintf(buf, sizeof buf, "%zu tokens (stops at the end of the answer or at %d), %.2f tokens/s", k,
                    f.max_new, k > 1 && s > 0 ? static_cast<double>(k - 1) / s : 0.0);
      progress.Update(-1, buf);
    };
  progress.Start("prefill of " + std::to_string(plan.ids.size()) + " tokens");
  const GenerateResult r = session.Generate(plan, opt, stream);
  progress.Clear();
  if (!f.draft_store.empty()) {
    store.AddDocument(r.tokens);
    store.Save(f.draft_store);
  }

  if (f.json) {
    const double n_gen = static_cast<double>(r.tokens.size());
    nlohmann::json j = {
        {"text", r.text},
        {"tokens", r.tokens},
        {"prompt_tokens", r.prompt_tokens},
        {"generated_tokens", r.tokens.size()},
        {"finish_reason", r.finish_reason},
        {"model", {{"path", model.path()}, {"random_weights", model.random_weights()}}},
        {"inputs", {{"ecg", nlohmann::json::array()}, {"image", nlohmann::json::array()}}},
        {"sampling", {{"temperature", s.temperature}, {"top_k", s.top_k}, {"top_p", s.top_p},
                      {"repetition_penalty", s.repetition_penalty}, {"seed", s.seed}}},
        {"timings", {{"load_ms", load_ms}, {"ecg_ms", ecg_ms}, {"vision_ms", vision_ms}, {"prefill_ms", r.prefill_ms}, {"decode_ms", r.decode_ms},
                     {"prefill_tokens_per_s", r.prefill_ms > 0 ? 1000.0 * static_cast<double>(r.prompt_tokens) / r.prefill_ms : 0.0},
                     {"decode_tokens_per_s", r.decode_ms > 0 && n_gen > 1 ? 1000.0 * (n_gen - 1) / r.decode_ms : 0.0}}},
    };
    j["draft"] = {{"enabled", r.drafting},
                  {"drafted", r.draft.drafted},
                  {"accepted", r.draft.accepted},
                  {"verify_steps", r.draft.verify_steps},
                  {"steps", r.draft.steps},
                  {"tokens_per_step", r.draft.steps > 0 ? static_cast<double>(r.draft.steps + r.draft.accepted) /
                                                              static_cast<double>(r.draft.steps) : 0.0}};
    for (size_t k = 0; k < ecgs.size(); ++k) {
      nlohmann::json rep = ecgs[k].report;
      rep["path"] = f.ecg[k];
      j["inputs"]["ecg"].push_back(rep);
    }
    for (const ImageInput& im : images) j["inputs"]["image"].push_back(im.report);
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    if (r.text.empty() || r.text.back() != '\n') std::fputc('\n', stdout);
  }
  return 0;
}

}  // namespace

Command AddInterpretCommand(CLI::App& app) {
  auto f = std::make_shared<InterpretFlags>();
  CLI::App* sub = app.add_subcommand("interpret", "Generate ECG-R1's interpretation of an ECG record and/or a prompt");
  sub->add_option("-m,--model", f->model, "Model file (.ecgr1); default $ECGR1_MODEL or " + std::string(kDefaultModelPath));
  sub->add_option("-p,--prompt", f->prompt,
                  "User text, or - for standard input; may place <ecg>/<image> tags (default: ECG-R1's trained instruction)");
  sub->add_option("--ecg", f->ecg,
                  "ECG record: WFDB (path/name, .hea, .dat, .mat), GE MUSE .xml, .csv or .npy; repeat for several")
      ->allow_extra_args(false);
  sub->add_option("--image", f->image, "ECG image: PNG, JPEG or BMP (photo, scan or rendering); repeat for several")
      ->allow_extra_args(false);
  sub->add_option("--fs", f->fs, "Sampling rate in Hz for CSV/NPY records that do not state it")
      ->check(CLI::Range(1.0, 100000.0));
  sub->add_option("--lead-order", f->lead_order,
                  "training: reorder leads by name to I, II, III, aVR, aVF, aVL, V1-V6 (ECG-R1's training order); "
                  "file: feed the file's first 12 leads as they are (as the original code does)")
      ->check(CLI::IsMember({"training", "file"}))
      ->capture_default_str();
  sub->add_flag("--zero-fill-missing", f->zero_fill, "Feed zeros for leads the record lacks instead of refusing it");
  sub->add_flag("--no-resample", f->no_resample,
                "Pad/truncate to 5000 samples whatever the rate, exactly as the original (default: resample to 500 Hz)");
  sub->add_option("--ecg-start", f->ecg_start, "Start of the 10 s window in the record, seconds")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  sub->add_option("--messages", f->messages, "A whole conversation as JSON {\"messages\": [{\"role\", \"content\"}]} (file or -)");
  sub->add_option("--system", f->system, "Replace the system prompt (\"\" removes it)");
  sub->add_option("-n,--max-new-tokens", f->max_new, "Stop after this many new tokens")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  CLI::Option* temp = sub->add_option("--temp", f->temperature, "Sampling temperature (0 = greedy, as ECG-R1 was evaluated)")
                          ->check(CLI::Range(0.0f, 100.0f))
                          ->capture_default_str();
  CLI::Option* top_k = sub->add_option("--top-k", f->top_k, "Keep the k most likely tokens (0 = off)")->check(CLI::Range(0, 1 << 24));
  CLI::Option* top_p = sub->add_option("--top-p", f->top_p, "Nucleus sampling mass (1 = off)")->check(CLI::Range(0.0f, 1.0f));
  sub->add_option("--repeat-penalty", f->repeat_penalty, "Repetition penalty (1 = off)")->check(CLI::Range(0.01f, 100.0f));
  sub->add_option("--seed", f->seed, "Random seed for sampling")->capture_default_str();
  sub->add_flag("--sample", f->sample, "Use the checkpoint's sampling preset (generation_config.json) instead of greedy");
  sub->add_flag("--no-draft", f->no_draft,
                "Turn off speculative decoding (greedy only: drafts from the prompt, the output so far, earlier "
                "outputs and --draft-corpus, verified in one pass; the output is the same, only faster)");
  sub->add_option("--draft-max", f->draft_max, "Longest draft in tokens (adapts below it to the acceptance)")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  sub->add_option("--draft-corpus", f->draft_corpus,
                  "Earlier outputs to draft from: JSONL (\"text\"/\"response\" per line) or a text file; repeat for several")
      ->allow_extra_args(false);
  sub->add_option("--draft-store", f->draft_store,
                  "Draft store file: loaded when it exists, saved with this output (and --draft-corpus) added");
  sub->add_flag("--json", f->json, "Print one JSON object (text, tokens, prompt_tokens, finish_reason, timings)");
  sub->add_flag("--special", f->special, "Recognise special-token strings such as <|im_end|> in prompt text");
  sub->add_option("--ctx", f->ctx, "Context size in tokens (default: prompt + max new tokens)")->check(CLI::Range(0, 1 << 22));
  sub->add_option("-t,--threads", f->threads, "Threads (default: all cores)")->check(CLI::Range(0, 1024));
  CLI::Option* system = sub->get_option("--system");
  return {sub, [f, temp, top_k, top_p, system] {
            f->system_given = system->count() > 0;
            return Run(*f, temp->count() > 0, top_k->count() > 0, top_p->count() > 0);
          }};
}

}  // namespace ecgr1
