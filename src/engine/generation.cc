#include "engine/generation.h"

#include <algorithm>
#include <string_view>

#include "base/error.h"
#include "kernels/cpu_features.h"

namespace ecgr1 {
namespace {

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Generation::Generation(const Model& model, const PromptPlan& plan, const GenerateOptions& opt, const KvCache& cache,
                       std::function<void(const std::string&)> on_text)
    : model_(model),
      plan_(plan),
      opt_(opt),
      on_text_(std::move(on_text)),
      sampler_(opt.sampler),
      drafter_(opt.draft_store, opt.draft_max > 0 ? opt.draft_max : kernels::DraftTokensHint()) {
  const TextConfig& c = model.config().text;
  vocab_ = static_cast<size_t>(c.vocab);
  const size_t L = plan.ids.size();
  if (L == 0) Fail(ExitCode::kUsage, "empty prompt");
  for (int32_t id : plan.ids)
    if (id < 0 || id >= c.vocab) Fail(ExitCode::kInternal, "prompt token %d outside the vocabulary", id);
  max_new_ = static_cast<size_t>(std::max(opt.max_new_tokens, 0));
  if (L + max_new_ > cache.capacity())
    Fail(ExitCode::kUsage, "context too small: the prompt has %zu tokens and up to %d may be generated, but the "
         "context holds %zu (raise --ctx or lower -n)", L, opt.max_new_tokens, cache.capacity());
  stops_ = opt.stop_ids.empty() ? model.generation().eos_ids : opt.stop_ids;
  r_.prompt_tokens = L;
  r_.finish_reason = "length";
  r_.drafting = opt.draft && opt.sampler.temperature <= 0.0f;
  // Reserved up front so that the token loop does not allocate.
  r_.tokens.reserve(max_new_);
  history_.reserve(L + max_new_);
  history_.assign(plan.ids.begin(), plan.ids.end());
  rows_.reserve(std::max<size_t>(opt.draft_max, 16) + 1);
  if (r_.drafting)
    for (int32_t id : plan.ids) drafter_.Observe(id);
}

void Generation::Prefill(TextDecoder& decoder, KvCache& cache) {
  // The whole prompt in one chunk; only the last row's logits are needed.
  const size_t L = plan_.ids.size(), d = static_cast<size_t>(model_.config().text.hidden);
  const auto t0 = std::chrono::steady_clock::now();
  cache.Clear();
  std::vector<float> x(L * d), logits(vocab_);
  decoder.Embed(plan_.ids.data(), L, x.data());
  if (opt_.patch_embeddings) opt_.patch_embeddings(x.data(), L);
  decoder.Forward(x.data(), L, plan_.positions, cache, opt_.hooks);
  decoder.Logits(x.data() + (L - 1) * d, 1, logits.data());
  r_.prefill_ms = MsSince(t0);
  t_decode_ = std::chrono::steady_clock::now();
  if (max_new_ == 0) return Finish();
  last_ = sampler_.Sample(logits.data(), vocab_, history_);
  if (!Emit(last_)) Finish();
}

bool Generation::Emit(int32_t id) {
  r_.tokens.push_back(id);
  history_.push_back(id);
  if (r_.drafting) drafter_.Observe(id);
  if (opt_.on_token) opt_.on_token(r_.tokens.size());
  if (std::find(stops_.begin(), stops_.end(), id) != stops_.end()) {
    r_.finish_reason = "stop";
    return false;
  }
  const Tokenizer& tok = model_.tokenizer();
  const std::string piece = stream_.Push(id < tok.size() ? std::string_view(tok.TokenBytes(id)) : std::string_view());
  r_.text += piece;
  if (on_text_ && !piece.empty()) on_text_(piece);
  return r_.tokens.size() < max_new_;
}

const std::vector<int32_t>& Generation::NextRows(const KvCache& cache) {
  // The last token and its draft, at positions cache index + rope_delta on t,
  // h and w. A draft never runs past max_new_tokens.
  rows_.assign(1, last_);
  if (r_.drafting) {
    const std::vector<int32_t>& draft = drafter_.Propose();
    const size_t room = max_new_ - r_.tokens.size() - 1;
    rows_.insert(rows_.end(), draft.begin(), draft.begin() + static_cast<std::ptrdiff_t>(std::min(room, draft.size())));
  }
  pos_.t.clear();
  pos_.h.clear();
  pos_.w.clear();
  for (size_t j = 0; j < rows_.size(); ++j) {
    const int64_t p = static_cast<int64_t>(cache.size() + j) + plan_.rope_delta;
    pos_.Push(p, p, p);
  }
  return rows_;
}

void Generation::Accept(float* logits, KvCache& cache) {
  // Row j predicts the token after rows_[j]; a draft token stands when it is
  // that prediction, and the first prediction that differs is the model's own.
  const size_t k = rows_.size() - 1, start = cache.size() - rows_.size();
  size_t accepted = 0;
  bool more = true;
  int32_t next = sampler_.Sample(logits, vocab_, history_);
  while (accepted < k && next == rows_[accepted + 1]) {
    ++accepted;
    if (!(more = Emit(next))) break;
    next = sampler_.Sample(logits + accepted * vocab_, vocab_, history_);
  }
  cache.Truncate(start + 1 + accepted);
  ++r_.draft.steps;
  if (k > 0) {
    ++r_.draft.verify_steps;
    r_.draft.drafted += k;
    r_.draft.accepted += accepted;
    drafter_.Feedback(k, accepted);
  }
  if (more) {
    last_ = next;
    more = Emit(next);
  }
  if (!more) Finish();
}

void Generation::Finish() {
  const std::string tail = stream_.Flush();
  r_.text += tail;
  if (on_text_ && !tail.empty()) on_text_(tail);
  r_.decode_ms = MsSince(t_decode_);
  done_ = true;
}

}  // namespace ecgr1
