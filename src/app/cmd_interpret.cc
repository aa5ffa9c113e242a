// cmd_interpret.cc — `ecgr1 interpret`: prompt in, streamed reasoning out.
//
// Inputs: ECG records (--ecg, any format the signal readers accept), ECG
// images (--image: PNG, JPEG, BMP) and the prompt text, placed by the tags
// <ecg> / <image> or, without tags, as ECG-R1 was trained. Text mode streams tokens to stdout as they are
// produced; --json prints one object at the end, with a report of how each
// input was handled. --batch runs a JSONL job file (app/batch_runner.h), up
// to --parallel records decoding together (engine/batch_decoder.h), each
// result the object --json prints, with its id.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/batch_runner.h"
#include "app/commands.h"
#include "app/progress.h"
#include "base/error.h"
#include "base/mapped_file.h"
#include "engine/batch_decoder.h"
#include "engine/ecg_inputs.h"
#include "engine/image_inputs.h"
#include "engine/model.h"
#include "engine/session.h"
#include "io/ecg_record.h"
#include "preprocess/ecg_signal.h"
#include "render/ecg_paper.h"
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
  bool temp_given = false, top_k_given = false, top_p_given = false;
  int ctx = 0, threads = 0;
  bool render = false;  // each --ecg also as its rendered printout
  bool no_draft = false;
  int draft_max = 0;  // 0: kernels::DraftTokensHint()
  std::vector<std::string> draft_corpus;
  std::string draft_store;
  BatchFlags batch;
  int parallel = 1;
};

// One interpretation's inputs as given: the command line, or a --batch job.
struct Request {
  std::vector<std::string> ecg, image;
  bool render = false;               // each ECG also as an image: its printout
  std::string prompt;                // user text (tags allowed); "" = ECG-R1's trained instruction
  std::string messages;              // instead: a whole conversation, JSON text
  std::string messages_source;       // its file name, for errors
  bool system_given = false;
  std::string system;
  int max_new = 2048;
  // Sampling: the flags' meaning (sample = the checkpoint's preset, then the given values).
  bool sample = false, temp_given = false, top_k_given = false, top_p_given = false;
  float temperature = 0.0f, top_p = 1.0f, repeat_penalty = 1.0f;
  int top_k = 0;
  uint64_t seed = 0;
};

// The flags' sampling and system prompt: a job's defaults.
void SamplingFromFlags(const InterpretFlags& f, Request& r) {
  r.system_given = f.system_given;
  r.system = f.system;
  r.max_new = f.max_new;
  r.sample = f.sample;
  r.temp_given = f.temp_given;
  r.top_k_given = f.top_k_given;
  r.top_p_given = f.top_p_given;
  r.temperature = f.temperature;
  r.top_p = f.top_p;
  r.top_k = f.top_k;
  r.repeat_penalty = f.repeat_penalty;
  r.seed = f.seed;
}

Request RequestFromFlags(const InterpretFlags& f) {
  Request r;
  r.ecg = f.ecg;
  r.image = f.image;
  r.render = f.render;
  if (!f.messages.empty()) {
    if (!f.prompt.empty()) Fail(ExitCode::kUsage, "give either -p or --messages, not both");
    r.messages = f.messages == "-" ? TextArgument("-", "--messages") : ReadSmallFile(f.messages, ExitCode::kBadInput, 64u << 20);
    r.messages_source = f.messages == "-" ? "<stdin>" : f.messages;
  } else if (!f.prompt.empty()) {
    r.prompt = TextArgument(f.prompt, "prompt");
  }
  SamplingFromFlags(f, r);
  return r;
}

// A job line: {"id", "ecg" and/or "image" (a path or a list), optional
// "prompt" or "messages" (a list of {role, content}), "system",
// "max_new_tokens", "temperature", "top_k", "top_p", "repetition_penalty",
// "seed", "sample"}; what a job does not say comes from the flags.
Request RequestFromJob(const BatchJob& job, const InterpretFlags& f) {
  Request r;
  SamplingFromFlags(f, r);
  const nlohmann::json& j = job.spec;
  const std::string where = "job " + job.id.dump() + " (line " + std::to_string(job.line) + ")";
  static const char* const kKeys[] = {"id",     "ecg",         "image",       "prompt", "messages",
                                      "system", "max_new_tokens", "temperature", "top_k",  "top_p",
                                      "repetition_penalty", "seed", "sample", "render"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find_if(std::begin(kKeys), std::end(kKeys), [&](const char* k) { return it.key() == k; }) == std::end(kKeys))
      Fail(ExitCode::kBadInput, "%s: unknown key \"%s\"", where.c_str(), it.key().c_str());
  r.ecg = job.Paths("ecg");
  r.image = job.Paths("image");
  r.prompt = job.String("prompt");
  if (j.contains("messages")) {
    if (!r.prompt.empty()) Fail(ExitCode::kBadInput, "%s: give either \"prompt\" or \"messages\", not both", where.c_str());
    r.messages = nlohmann::json{{"messages", j["messages"]}}.dump();
    r.messages_source = where;
  }
  if (j.contains("system")) {
    r.system_given = true;
    r.system = job.String("system");
  }
  auto number = [&](const char* key, double lo, double hi) -> double {
    if (!j[key].is_number() || !(j[key].get<double>() >= lo && j[key].get<double>() <= hi))
      Fail(ExitCode::kBadInput, "%s: \"%s\" must be a number in [%g, %g]", where.c_str(), key, lo, hi);
    return j[key].get<double>();
  };
  if (j.contains("max_new_tokens")) r.max_new = static_cast<int>(number("max_new_tokens", 1, 1 << 20));
  if (j.contains("temperature")) {
    r.temperature = static_cast<float>(number("temperature", 0, 100));
    r.temp_given = true;
  }
  if (j.contains("top_k")) {
    r.top_k = static_cast<int>(number("top_k", 0, 1 << 24));
    r.top_k_given = true;
  }
  if (j.contains("top_p")) {
    r.top_p = static_cast<float>(number("top_p", 0, 1));
    r.top_p_given = true;
  }
  if (j.contains("repetition_penalty")) r.repeat_penalty = static_cast<float>(number("repetition_penalty", 0.01, 100));
  if (j.contains("seed")) r.seed = static_cast<uint64_t>(number("seed", 0, 9007199254740991.0));
  if (j.contains("sample")) {
    if (!j["sample"].is_boolean()) Fail(ExitCode::kBadInput, "%s: \"sample\" must be true or false", where.c_str());
    r.sample = j["sample"].get<bool>();
  }
  r.render = f.render;
  if (j.contains("render")) {
    if (!j["render"].is_boolean()) Fail(ExitCode::kBadInput, "%s: \"render\" must be true or false", where.c_str());
    r.render = j["render"].get<bool>();
  }
  return r;
}

// The files a request names, read and checked (before any model work).
struct Inputs {
  std::vector<EcgTowerInput> ecgs;
  std::vector<ImageInput> images;
  std::vector<ChatMessage> messages;
};

Inputs ReadInputs(const Request& q, const InterpretFlags& f) {
  Inputs in;
  for (const std::string& path : q.ecg) {
    EcgReadOptions ro;
    ro.fs = f.fs;
    EcgSignalOptions so;
    so.lead_order_file = f.lead_order == "file";
    so.zero_fill_missing = f.zero_fill;
    so.resample = !f.no_resample;
    so.start_s = f.ecg_start;
    const EcgRecord rec = ReadEcgRecord(path, ro);
    in.ecgs.push_back(PrepareEcg(rec, so));
    in.ecgs.back().report["path"] = path;
    if (q.render) {
      // The same record as the printout ECG-R1 also reads (3x4 + II, 200 dpi).
      PaperOptions paper;
      paper.start_s = f.ecg_start;
      in.images.push_back(PrepareImage(RenderPaper(rec, LayoutPaper(rec, paper), paper.dpi), path + " (rendered)"));
    }
  }
  for (const std::string& path : q.image) in.images.push_back(PrepareImage(path));
  const int n_ecg = static_cast<int>(in.ecgs.size()), n_image = static_cast<int>(in.images.size());
  if (!q.messages.empty()) {
    in.messages = ParseMessagesJson(q.messages, q.messages_source);
  } else {
    int tags_ecg = 0, tags_image = 0;
    CountTags(q.prompt, &tags_ecg, &tags_image);
    const bool tagged = tags_ecg + tags_image > 0;
    in.messages.push_back({"user", tagged ? q.prompt : DefaultUserText(q.prompt, n_ecg, n_image)});
  }
  if (q.system_given) {
    if (!in.messages.empty() && in.messages.front().role == "system") in.messages.erase(in.messages.begin());
    in.messages.insert(in.messages.begin(), ChatMessage{"system", q.system});
  }
  in.messages = WithDefaultSystem(std::move(in.messages));
  return in;
}

// A request after the encoders: its prompt and the rows written into it.
struct Encoded {
  PromptPlan plan;
  std::vector<std::vector<float>> ecg_rows;
  std::vector<VisionOutput> vis;
  DecoderHooks hooks;
  GenerateOptions opt;
  nlohmann::json inputs;  // what was done with each input
  double ecg_ms = 0, vision_ms = 0;
};

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Builds the prompt, runs the encoders and sets the generation options.
// The result must stay where it is (the options point into it).
void Encode(const Model& model, const Request& q, const Inputs& in, const InterpretFlags& f, ProgressLine& progress,
            Encoded& e) {
  const int n_ecg = static_cast<int>(in.ecgs.size()), n_image = static_cast<int>(in.images.size());
  if (n_ecg > 0 && !model.config().has_ecg)
    Fail(ExitCode::kUsage, "%s has no ECG tower: it cannot read an ECG record", model.path().c_str());
  if (n_image > 0 && !model.config().has_vision)
    Fail(ExitCode::kUsage, "%s has no vision encoder: it cannot read an ECG image", model.path().c_str());
  PromptInputs pin;
  pin.parse_special = f.special;
  pin.n_ecg = n_ecg;
  pin.ecg_tokens = static_cast<int>(model.config().ecg.tokens());
  for (const ImageInput& im : in.images) pin.image_grids.push_back(im.merged_grid(static_cast<int>(model.config().vision.merge)));
  e.plan = BuildPrompt(model.tokenizer(), in.messages, pin);

  auto t = std::chrono::steady_clock::now();
  if (n_ecg > 0) progress.Start("ECG tower");
  e.ecg_rows = EncodeEcgs(model, in.ecgs);
  e.ecg_ms = MsSince(t);
  t = std::chrono::steady_clock::now();
  if (n_image > 0) progress.Start("vision encoder");
  e.vis = EncodeImages(model, in.images, [&progress](size_t done, size_t total) {
    progress.Update(static_cast<double>(done) / static_cast<double>(total),
                    "block " + std::to_string(done) + "/" + std::to_string(total));
  });
  e.vision_ms = MsSince(t);
  const size_t hidden = static_cast<size_t>(model.config().text.hidden);
  if (!e.vis.empty()) e.hooks.deepstack = DeepstackHook(e.plan, e.vis, hidden);
  const size_t layers = static_cast<size_t>(model.config().text.layers);
  if (progress.enabled())
    e.hooks.on_layer_out = [&progress, layers](int layer, const float*, size_t) {
      progress.Update(static_cast<double>(layer + 1) / static_cast<double>(layers),
                      "layer " + std::to_string(layer + 1) + "/" + std::to_string(layers));
    };

  GenerateOptions& opt = e.opt;
  opt.max_new_tokens = q.max_new;
  opt.hooks = &e.hooks;
  if (!e.ecg_rows.empty() || !e.vis.empty())
    opt.patch_embeddings = [&e, hidden](float* emb, size_t) {
      if (!e.ecg_rows.empty()) ScatterEcgRows(e.plan, e.ecg_rows, hidden, emb);
      if (!e.vis.empty()) ScatterImageRows(e.plan, e.vis, hidden, emb);
    };
  SamplerConfig& s = opt.sampler;
  if (q.sample) {  // the checkpoint's generation_config.json preset
    s.temperature = model.generation().temperature;
    s.top_k = model.generation().top_k;
    s.top_p = model.generation().top_p;
    s.repetition_penalty = model.generation().repetition_penalty;
  }
  if (q.temp_given || !q.sample) s.temperature = q.temperature;
  if (q.top_k_given) s.top_k = q.top_k;
  if (q.top_p_given) s.top_p = q.top_p;
  if (q.repeat_penalty != 1.0f) s.repetition_penalty = q.repeat_penalty;
  s.seed = q.seed;
  opt.draft = !f.no_draft;
  opt.draft_max = static_cast<size_t>(f.draft_max);

  e.inputs = {{"ecg", nlohmann::json::array()}, {"image", nlohmann::json::array()}};
  for (const EcgTowerInput& x : in.ecgs) e.inputs["ecg"].push_back(x.report);
  for (const ImageInput& im : in.images) e.inputs["image"].push_back(im.report);
}

// What interpret --json prints for one result.
nlohmann::json ResultJson(const Model& model, const Encoded& e, const GenerateResult& r, double load_ms) {
  const SamplerConfig& s = e.opt.sampler;
  const double n_gen = static_cast<double>(r.tokens.size());
  return {
      {"text", r.text},
      {"tokens", r.tokens},
      {"prompt_tokens", r.prompt_tokens},
      {"generated_tokens", r.tokens.size()},
      {"finish_reason", r.finish_reason},
      {"model", {{"path", model.path()}, {"random_weights", model.random_weights()}}},
      {"inputs", e.inputs},
      {"sampling", {{"temperature", s.temperature}, {"top_k", s.top_k}, {"top_p", s.top_p},
                    {"repetition_penalty", s.repetition_penalty}, {"seed", s.seed}}},
      {"draft", {{"enabled", r.drafting},
                 {"drafted", r.draft.drafted},
                 {"accepted", r.draft.accepted},
                 {"verify_steps", r.draft.verify_steps},
                 {"steps", r.draft.steps},
                 {"tokens_per_step", r.draft.steps > 0 ? static_cast<double>(r.draft.steps + r.draft.accepted) /
                                                             static_cast<double>(r.draft.steps) : 0.0}}},
      {"timings", {{"load_ms", load_ms}, {"ecg_ms", e.ecg_ms}, {"vision_ms", e.vision_ms}, {"prefill_ms", r.prefill_ms},
                   {"decode_ms", r.decode_ms},
                   {"prefill_tokens_per_s", r.prefill_ms > 0 ? 1000.0 * static_cast<double>(r.prompt_tokens) / r.prefill_ms : 0.0},
                   {"decode_tokens_per_s", r.decode_ms > 0 && n_gen > 1 ? 1000.0 * (n_gen - 1) / r.decode_ms : 0.0}}},
  };
}

void ZeroFillNotes(const Inputs& in, const std::string& where) {
  for (const EcgTowerInput& x : in.ecgs) {
    const nlohmann::json& rep = x.report;
    if (rep.contains("zero_filled") && rep["zero_filled"].is_array() && !rep["zero_filled"].empty())
      std::fprintf(stderr, "ecgr1: note: %s%s: missing leads %s were filled with zeros\n", where.c_str(),
                   rep.value("path", std::string()).c_str(), rep["zero_filled"].dump().c_str());
  }
}

// The shared draft store: loaded from --draft-store, plus --draft-corpus.
void LoadDraftStore(const InterpretFlags& f, const Model& model, TokenStore& store) {
  if (!f.draft_store.empty() && ::access(f.draft_store.c_str(), F_OK) == 0)
    store = TokenStore::Load(f.draft_store, model.config().text.vocab);
  for (const std::string& path : f.draft_corpus) AddCorpus(store, model.tokenizer(), path);
}

int RunBatch(const InterpretFlags& f) {
  if (!f.ecg.empty() || !f.image.empty() || !f.prompt.empty() || !f.messages.empty())
    Fail(ExitCode::kUsage, "--batch takes records and prompts from the job file: give no --ecg, --image, -p or --messages");
  BatchRunner runner(f.batch, "interpret");
  ProgressLine quiet(false);  // the runner's line is the progress
  const auto t0 = std::chrono::steady_clock::now();
  const Model model(FindModel(f.model));
  model.file().Prefetch();
  const double load_ms = MsSince(t0);
  if (model.random_weights())
    std::fprintf(stderr, "ecgr1: note: %s is a RANDOM-WEIGHT test or benchmark model; its output is meaningless\n",
                 model.path().c_str());
  TokenStore store;
  LoadDraftStore(f, model, store);
  // Earlier records of this run (--resume) drafted for the later ones: they go back in the store.
  for (const nlohmann::json& rec : runner.resumed()) {
    if (!rec.contains("draft") || !rec["draft"].is_object() || !rec["draft"].contains("enabled") ||
        !rec["draft"]["enabled"].is_boolean() || !rec["draft"]["enabled"].get<bool>() || !rec.contains("tokens") ||
        !rec["tokens"].is_array())
      continue;
    std::vector<int32_t> t;
    for (const nlohmann::json& v : rec["tokens"])
      if (v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() < model.config().text.vocab)
        t.push_back(v.get<int32_t>());
    if (t.size() == rec["tokens"].size()) store.AddDocument(t);
  }
  const size_t ctx = f.ctx > 0 ? static_cast<size_t>(f.ctx) : 2048 + static_cast<size_t>(f.max_new);
  BatchDecoder batch(model, static_cast<size_t>(f.parallel), ctx);
  struct InFlight {
    const BatchJob* job;
    Encoded e;
  };
  std::vector<std::unique_ptr<InFlight>> flying;
  size_t next = 0;
  const std::vector<BatchJob>& jobs = runner.jobs();
  for (;;) {
    while (batch.has_free_slot() && next < jobs.size() && !runner.stopping()) {
      const BatchJob& job = jobs[next++];
      try {
        const Request q = RequestFromJob(job, f);
        const Inputs in = ReadInputs(q, f);
        ZeroFillNotes(in, "job " + job.id.dump() + ": ");
        auto fl = std::make_unique<InFlight>();
        fl->job = &job;
        Encode(model, q, in, f, quiet, fl->e);
        fl->e.opt.hooks = nullptr;
        fl->e.hooks.on_layer_out = nullptr;
        if (!fl->e.vis.empty()) fl->e.opt.hooks = &fl->e.hooks;  // DeepStack only
        fl->e.opt.draft_store = &store;
        InFlight* raw = fl.get();
        flying.push_back(std::move(fl));
        batch.Start(raw->e.plan, raw->e.opt, [&, raw](GenerateResult&& r) {
          runner.Done(*raw->job, ResultJson(model, raw->e, r, load_ms));
          if (r.drafting) store.AddDocument(r.tokens);
          for (auto& p : flying)
            if (p.get() == raw) p.reset();
        });
      } catch (const Error& e) {
        if (e.code() == ExitCode::kOutput) throw;
        for (auto& p : flying)
          if (p && p->job == &job) p.reset();
        runner.Failed(job, e);
      }
      flying.erase(std::remove(flying.begin(), flying.end(), nullptr), flying.end());
    }
    if (batch.active() == 0) break;
    batch.Step();
    flying.erase(std::remove(flying.begin(), flying.end(), nullptr), flying.end());
  }
  if (!f.draft_store.empty()) store.Save(f.draft_store);
  return runner.Finish();
}

int Run(const InterpretFlags& f) {
  SetThreads(f.threads);
  if (!f.batch.jobs.empty()) return RunBatch(f);
  if (!f.batch.output.empty() || f.batch.resume || !f.batch.shard.empty() || f.parallel != 1)
    Fail(ExitCode::kUsage, "-o, --resume, --shard and --parallel go with --batch");
  // Read the inputs before loading the model, so bad input fails fast.
  const Request q = RequestFromFlags(f);
  const Inputs in = ReadInputs(q, f);

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
  const double load_ms = MsSince(t0);
  Encoded e;
  Encode(model, q, in, f, progress, e);
  // Drafts for speculative decoding: earlier outputs kept in --draft-store
  // and the texts of --draft-corpus (the request's own text is always used).
  TokenStore store;
  LoadDraftStore(f, model, store);
  e.opt.draft_store = &store;

  const size_t ctx = f.ctx > 0 ? static_cast<size_t>(f.ctx) : e.plan.ids.size() + static_cast<size_t>(f.max_new);
  if (e.plan.ids.size() + static_cast<size_t>(f.max_new) > ctx)
    Fail(ExitCode::kUsage, "--ctx %zu is too small: the prompt has %zu tokens and -n allows %d more", ctx,
         e.plan.ids.size(), f.max_new);
  Session session(model, ctx);
  // Said once everything has been checked, so that errors stay one line.
  progress.Clear();
  if (model.random_weights())
    std::fprintf(stderr, "ecgr1: note: %s is a RANDOM-WEIGHT test or benchmark model; its output is meaningless\n",
                 model.path().c_str());
  ZeroFillNotes(in, "");
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
    e.opt.on_token = [&](size_t k) {
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
  progress.Start("prefill of " + std::to_string(e.plan.ids.size()) + " tokens");
  const GenerateResult r = session.Generate(e.plan, e.opt, stream);
  progress.Clear();
  if (!f.draft_store.empty()) {
    store.AddDocument(r.tokens);
    store.Save(f.draft_store);
  }
  if (f.json) {
    std::printf("%s\n", ResultJson(model, e, r, load_ms).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
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
  sub->add_flag("--render", f->render,
                "Give each --ecg record also as its rendered printout (ecgr1 render's 3x4+II at 200 dpi), the way "
                "ECG-R1 was trained with both modalities");
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
  sub->add_option("--draft-max", f->draft_max,
                  "Longest draft in tokens (adapts below it to the acceptance; default: what this CPU verifies "
                  "cheaply, 4 with AVX-512 VNNI, 2 with AVX-VNNI, 1 with AVX2)")
      ->check(CLI::Range(1, 16));
  sub->add_option("--draft-corpus", f->draft_corpus,
                  "Earlier outputs to draft from: JSONL (\"text\"/\"response\" per line) or a text file; repeat for several")
      ->allow_extra_args(false);
  sub->add_option("--draft-store", f->draft_store,
                  "Draft store file: loaded when it exists, saved with this output (and --draft-corpus) added");
  sub->add_option("--parallel", f->parallel,
                  "With --batch: records decoding together, each step reading the weights once for all of them")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  AddBatchFlags(sub, f->batch,
                "\"ecg\" and/or \"image\" (a path or a list), optional \"render\", \"prompt\" or \"messages\", \"system\", "
                "\"max_new_tokens\", \"temperature\", \"top_k\", \"top_p\", \"repetition_penalty\", \"seed\", "
                "\"sample\" (default: the flags); each result is interpret --json's object");
  sub->add_flag("--json", f->json, "Print one JSON object (text, tokens, prompt_tokens, finish_reason, timings)");
  sub->add_flag("--special", f->special, "Recognise special-token strings such as <|im_end|> in prompt text");
  sub->add_option("--ctx", f->ctx, "Context size in tokens (default: prompt + max new tokens; with --batch, per record: 2048 + -n)")->check(CLI::Range(0, 1 << 22));
  sub->add_option("-t,--threads", f->threads, "Threads (default: all cores)")->check(CLI::Range(0, 1024));
  CLI::Option* system = sub->get_option("--system");
  return {sub, [f, temp, top_k, top_p, system] {
            f->system_given = system->count() > 0;
            f->temp_given = temp->count() > 0;
            f->top_k_given = top_k->count() > 0;
            f->top_p_given = top_p->count() > 0;
            return Run(*f);
          }};
}

}  // namespace ecgr1
