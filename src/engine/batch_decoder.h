// batch_decoder.h — continuous batching: up to `slots` requests decode
// together, each decode step one decoder pass over all their rows (every
// weight matrix read once for all of them), each request with its own KV
// cache, drafts and sampler. A request that finishes frees its slot at once
// for the next one (its prefill runs alone, then it joins the steps).
//
// Row results equal those of running each request alone (TextDecoder::Steps),
// so greedy output does not depend on what else is in the batch.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "engine/generation.h"
#include "engine/model.h"
#include "nn/kv_cache.h"
#include "nn/text_decoder.h"

namespace ecgr1 {

class BatchDecoder {
 public:
  BatchDecoder(const Model& model, size_t slots, size_t ctx);

  size_t slots() const { return slots_.size(); }
  size_t active() const;
  bool has_free_slot() const { return active() < slots(); }
  // Prefills a request into a free slot. `plan` must outlive the request;
  // `on_done` receives its result when it finishes (from Start itself when
  // the prompt alone ends it, otherwise from Step); it must not call Start
  // (refill free slots after Step returns).
  void Start(const PromptPlan& plan, const GenerateOptions& opt, std::function<void(GenerateResult&&)> on_done,
             std::function<void(const std::string&)> on_text = nullptr);
  // One decode step of every active request.
  void Step();

 private:
  struct Slot {
    std::unique_ptr<KvCache> cache;
    std::unique_ptr<Generation> gen;
    std::function<void(GenerateResult&&)> on_done;
  };
  void FinishIfDone(Slot& s);

  const Model& model_;
  TextDecoder decoder_;
  std::vector<Slot> slots_;
  std::vector<int32_t> ids_;
  Positions pos_;
  std::vector<SeqRows> seqs_;
  std::vector<float> x_, logits_;
};

}  // namespace ecgr1
