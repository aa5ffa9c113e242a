// cmd_convert.cc — `ecgr1 convert-weights DIR -o FILE [--type f32|bf16|q8|q4] [--ecg-tower FILE.pt]`.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "base/error.h"
#include "convert/convert.h"

namespace ecgr1 {
namespace {

struct ConvertFlags {
  std::string dir, out, type = "bf16", ecg_tower;
  bool random_weights = false;
  int threads = 0;
};

// A one-line progress bar on stderr, redrawn at most every 1%.
class ProgressBar {
 public:
  void operator()(uint64_t done, uint64_t total) {
    const int pct = total == 0 ? 100 : static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total));
    if (pct == last_) return;
    last_ = pct;
    const int width = 40, filled = pct * width / 100;
    std::fprintf(stderr, "\r[%.*s%*s] %3d%% %.1f/%.1f GB", filled, "########################################",
                 width - filled, "", pct, static_cast<double>(done) / 1e9, static_cast<double>(total) / 1e9);
    if (done >= total) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  int last_ = -1;
};

int Run(const ConvertFlags& f) {
  SetThreads(f.threads);
  ConvertOptions opt;
  opt.type = FindDTypeByName(f.type)->type;  // one of the names the flag admits
  opt.random_weights = f.random_weights;
  opt.ecg_tower_pt = f.ecg_tower;
  auto bar = std::make_shared<ProgressBar>();
  if (::isatty(STDERR_FILENO)) opt.progress = [bar](uint64_t d, uint64_t t) { (*bar)(d, t); };
  const auto t0 = std::chrono::steady_clock::now();
  const ConvertSummary s = ConvertCheckpoint(f.dir, f.out, opt);
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "ecgr1: wrote %s: %zu tensors, %.1f MB of weights (%s) in %.1f s\n", f.out.c_str(), s.tensors,
               static_cast<double>(s.bytes) / 1e6, f.type.c_str(), sec);
  return 0;
}

}  // namespace

Command AddConvertCommand(CLI::App& app) {
  auto f = std::make_shared<ConvertFlags>();
  CLI::App* sub = app.add_subcommand(
      "convert-weights", "Convert a Hugging Face ECG-R1 checkpoint folder (safetensors + config + tokenizer) to .ecgr1");
  sub->add_option("checkpoint", f->dir, "Checkpoint folder (config.json, tokenizer.json, *.safetensors)")->required();
  sub->add_option("-o,--output", f->out, "Output .ecgr1 file (written atomically)")->required();
  sub->add_option("--type", f->type,
                  "Weight type: f32 or bf16 for every matrix; q8 or q4 for the text decoder's matrices and "
                  "embedding (lm_head q8; vision encoder, ECG tower and projector bf16). Norms and biases stay f32")
      ->check(CLI::IsMember({"f32", "bf16", "q8", "q4"}))
      ->capture_default_str();
  sub->add_option("--ecg-tower", f->ecg_tower,
                  "ECG-CoCa torch.save checkpoint (.pt) to take the ECG tower from (its module.ecg.* tensors) "
                  "instead of the checkpoint folder's safetensors (without this flag no .pt file is ever opened)");
  sub->add_flag("--random-weights", f->random_weights,
                "Label the output as a random-weight test model (automatic for tiny models)");
  sub->add_option("-t,--threads", f->threads, "Threads (default: all cores)")->check(CLI::Range(0, 1024));
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
