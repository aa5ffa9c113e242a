#include "engine/session.h"

#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "base/error.h"

namespace ecgr1 {
namespace {

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

namespace {

// Refuses a context whose KV cache could not fit in this machine's memory,
// with a message instead of an allocation failure.
size_t CheckedContext(const TextConfig& c, size_t ctx) {
  // In double: a huge --ctx must give this message, not a wrapped size_t.
  const double bytes = static_cast<double>(KvCache::BytesFor(c, 1)) * static_cast<double>(ctx);
  const double phys = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  if (bytes > 0.8 * phys)
    Fail(ExitCode::kUsage, "a context of %zu tokens needs %.1f GB of KV cache, more than this machine has (%.1f GB)",
         ctx, bytes / 1e9, phys / 1e9);
  return ctx;
}

}  // namespace

Session::Session(const Model& model, size_t ctx)
    : model_(model),
      decoder_(model.text_weights(), model.config().text),
      cache_(model.config().text, CheckedContext(model.config().text, ctx)) {}

GenerateResult Session::Generate(const PromptPlan& plan, const GenerateOptions& opt,
                                 const std::function<void(const std::string&)>& on_text) {
  const TextConfig& c = model_.config().text;
  const size_t d = static_cast<size_t>(c.hidden), vocab = static_cast<size_t>(c.vocab);
  const size_t L = plan.ids.size();
  if (L == 0) Fail(ExitCode::kUsage, "empty prompt");
  for (int32_t id : plan.ids)
    if (id < 0 || id >= c.vocab) Fail(ExitCode::kInternal, "prompt token %d outside the vocabulary", id);
  if (L + static_cast<size_t>(std::max(opt.max_new_tokens, 0)) > cache_.capacity() - cache_.size())
    Fail(ExitCode::kUsage, "context too small: the prompt has %zu tokens and up to %d may be generated, but the "
         "context holds %zu (raise --ctx or lower -n)", L, opt.max_new_tokens, cache_.capacity() - cache_.size());
  const std::vector<int32_t>& stops = opt.stop_ids.empty() ? model_.generation().eos_ids : opt.stop_ids;
  GenerateResult r;
  r.prompt_tokens = L;

  // Prefill: the whole prompt in one chunk; only the last row's logits are needed.
  auto t0 = std::chrono::steady_clock::now();
  x_.resize(L * d);
  logits_.resize(vocab);
  decoder_.Embed(plan.ids.data(), L, x_.data());
  if (opt.patch_embeddings) opt.patch_embeddings(x_.data(), L);
  decoder_.Forward(x_.data(), L, plan.positions, cache_, opt.hooks);
  decoder_.Logits(x_.data() + (L - 1) * d, 1, logits_.data());
  r.prefill_ms = MsSince(t0);

  // Reserved up front so the token loop below does not allocate.
  const size_t max_new = static_cast<size_t>(std::max(opt.max_new_tokens, 0));
  r.tokens.reserve(max_new);
  Sampler sampler(opt.sampler);
  std::vector<int32_t> history;
  history.reserve(L + max_new);
  history.assign(plan.ids.begin(), plan.ids.end());
  r.drafting = opt.draft && opt.sampler.temperature <= 0.0f && opt.draft_max > 0;
  Drafter drafter(opt.draft_store, opt.draft_max);
  if (r.drafting)
    for (int32_t id : plan.ids) drafter.Observe(id);
  Utf8Stream stream;
  const Tokenizer& tok = model_.tokenizer();
  auto t1 = std::chrono::steady_clock::now();
  r.finish_reason = "length";
  // Takes a decided token; false when generation ends with it.
  auto emit = [&](int32_t id) {
    r.tokens.push_back(id);
    history.push_back(id);
    if (r.drafting) drafter.Observe(id);
    if (opt.on_token) opt.on_token(r.tokens.size());
    if (std::find(stops.begin(), stops.end(), id) != stops.end()) {
      r.finish_reason = "stop";
      return false;
    }
    const std::string piece = stream.Push(id < tok.size() ? std::string_view(tok.TokenBytes(id)) : std::string_view());
    r.text += piece;
    if (on_text && !piece.empty()) on_text(piece);
    return r.tokens.size() < max_new;
  };
  std::vector<int32_t> rows;  // this step's token and its draft
  rows.reserve(opt.draft_max + 1);
  Positions pos;
  int32_t id = max_new > 0 ? sampler.Sample(logits_.data(), vocab, history) : 0;
  bool more = max_new > 0 && emit(id);
  while (more) {
    // Decode step: `id` and its draft at positions cache index + rope_delta
    // on t, h and w. A draft never runs past max_new_tokens.
    rows.assign(1, id);
    if (r.drafting) {
      const std::vector<int32_t>& draft = drafter.Propose();
      const size_t room = max_new - r.tokens.size() - 1;
      rows.insert(rows.end(), draft.begin(), draft.begin() + static_cast<std::ptrdiff_t>(std::min(room, draft.size())));
    }
    const size_t k = rows.size() - 1, start = cache_.size();
    pos.t.clear();
    pos.h.clear();
    pos.w.clear();
    for (size_t j = 0; j <= k; ++j) {
      const int64_t p = static_cast<int64_t>(start + j) + plan.rope_delta;
      pos.Push(p, p, p);
    }
    x_.resize(std::max(x_.size(), (k + 1) * d));
    logits_.resize(std::max(logits_.size(), (k + 1) * vocab));
    decoder_.Embed(rows.data(), k + 1, x_.data());
    decoder_.Steps(x_.data(), k + 1, pos, {SeqRows{&cache_, 0, k + 1}});
    decoder_.Logits(x_.data(), k + 1, logits_.data());
    // Row j predicts the token after rows[j]; a draft token stands when it is
    // that prediction, and the first prediction that differs is the model's own.
    size_t accepted = 0;
    int32_t next = sampler.Sample(logits_.data(), vocab, history);
    while (accepted < k && next == rows[accepted + 1]) {
      ++accepted;
      if (!(more = emit(next))) break;
      next = sampler.Sample(&logits_[accepted * vocab], vocab, history);
    }
    cache_.Truncate(start + 1 + accepted);
    ++r.draft.steps;
    if (k > 0) {
      ++r.draft.verify_steps;
      r.draft.drafted += k;
      r.draft.accepted += accepted;
      drafter.Feedback(k, accepted);
    }
    if (!more) break;
    id = next;
    more = emit(id);
  }
  const std::string tail = stream.Flush();
  r.text += tail;
  if (on_text && !tail.empty()) on_text(tail);
  r.decode_ms = MsSince(t1);
  return r;
}

}  // namespace ecgr1
