#include "engine/session.h"

#include <unistd.h>

#include <algorithm>

#include "base/error.h"

namespace ecgr1 {

size_t CheckedContext(const TextConfig& c, size_t ctx, size_t caches) {
  // In double: a huge --ctx must give this message, not a wrapped size_t.
  const double bytes = static_cast<double>(KvCache::BytesFor(c, 1)) * static_cast<double>(ctx) * static_cast<double>(caches);
  const double phys = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  if (bytes > 0.8 * phys)
    Fail(ExitCode::kUsage, "%zu context%s of %zu tokens need %.1f GB of KV cache, more than this machine has (%.1f GB)",
         caches, caches == 1 ? "" : "s", ctx, bytes / 1e9, phys / 1e9);
  return ctx;
}

Session::Session(const Model& model, size_t ctx)
    : model_(model),
      decoder_(model.text_weights(), model.config().text),
      cache_(model.config().text, CheckedContext(model.config().text, ctx)) {}

GenerateResult Session::Generate(const PromptPlan& plan, const GenerateOptions& opt,
                                 const std::function<void(const std::string&)>& on_text) {
  const TextConfig& c = model_.config().text;
  const size_t d = static_cast<size_t>(c.hidden), vocab = static_cast<size_t>(c.vocab);
  Generation g(model_, plan, opt, cache_, on_text);
  g.Prefill(decoder_, cache_);
  while (!g.done()) {
    const std::vector<int32_t>& rows = g.NextRows(cache_);
    const size_t n = rows.size();
    // Grown, never shrunk: after the longest draft, steps allocate nothing.
    if (x_.size() < n * d) x_.resize(n * d);
    if (logits_.size() < n * vocab) logits_.resize(n * vocab);
    decoder_.Embed(rows.data(), n, x_.data());
    decoder_.Steps(x_.data(), n, g.positions(), {SeqRows{&cache_, 0, n}});
    decoder_.Logits(x_.data(), n, logits_.data());
    g.Accept(logits_.data(), cache_);
  }
  return std::move(g.result());
}

}  // namespace ecgr1
