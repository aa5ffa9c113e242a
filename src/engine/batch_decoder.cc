#include "engine/batch_decoder.h"

#include "base/error.h"
#include "engine/session.h"

namespace ecgr1 {

BatchDecoder::BatchDecoder(const Model& model, size_t slots, size_t ctx)
    : model_(model), decoder_(model.text_weights(), model.config().text) {
  if (slots == 0) Fail(ExitCode::kUsage, "a batch needs at least one slot");
  CheckedContext(model.config().text, ctx, slots);
  slots_.resize(slots);
  for (Slot& s : slots_) s.cache = std::make_unique<KvCache>(model.config().text, ctx);
}

size_t BatchDecoder::active() const {
  size_t n = 0;
  for (const Slot& s : slots_) n += s.gen != nullptr;
  return n;
}

void BatchDecoder::Start(const PromptPlan& plan, const GenerateOptions& opt,
                         std::function<void(GenerateResult&&)> on_done,
                         std::function<void(const std::string&)> on_text) {
  for (Slot& s : slots_) {
    if (s.gen) continue;
    s.gen = std::make_unique<Generation>(model_, plan, opt, *s.cache, std::move(on_text));
    s.on_done = std::move(on_done);
    try {
      s.gen->Prefill(decoder_, *s.cache);
    } catch (...) {
      s.gen.reset();
      throw;
    }
    FinishIfDone(s);
    return;
  }
  Fail(ExitCode::kInternal, "batch decoder: no free slot");
}

void BatchDecoder::FinishIfDone(Slot& s) {
  if (!s.gen || !s.gen->done()) return;
  GenerateResult r = std::move(s.gen->result());
  s.gen.reset();
  auto done = std::move(s.on_done);
  s.on_done = nullptr;
  done(std::move(r));
}

void BatchDecoder::Step() {
  ids_.clear();
  pos_.t.clear();
  pos_.h.clear();
  pos_.w.clear();
  seqs_.clear();
  for (Slot& s : slots_) {
    if (!s.gen) continue;
    const std::vector<int32_t>& rows = s.gen->NextRows(*s.cache);
    const Positions& p = s.gen->positions();
    seqs_.push_back(SeqRows{s.cache.get(), ids_.size(), rows.size()});
    ids_.insert(ids_.end(), rows.begin(), rows.end());
    pos_.t.insert(pos_.t.end(), p.t.begin(), p.t.end());
    pos_.h.insert(pos_.h.end(), p.h.begin(), p.h.end());
    pos_.w.insert(pos_.w.end(), p.w.begin(), p.w.end());
  }
  const size_t n = ids_.size();
  if (n == 0) return;
  const size_t d = static_cast<size_t>(model_.config().text.hidden), vocab = static_cast<size_t>(model_.config().text.vocab);
  if (x_.size() < n * d) x_.resize(n * d);
  if (logits_.size() < n * vocab) logits_.resize(n * vocab);
  decoder_.Embed(ids_.data(), n, x_.data());
  decoder_.Steps(x_.data(), n, pos_, seqs_);
  decoder_.Logits(x_.data(), n, logits_.data());
  size_t row = 0;
  for (Slot& s : slots_) {
    if (!s.gen) continue;
    const size_t count = s.gen->NextRowsCount();
    s.gen->Accept(&logits_[row * vocab], *s.cache);
    row += count;
  }
  for (Slot& s : slots_) FinishIfDone(s);
}

}  // namespace ecgr1
