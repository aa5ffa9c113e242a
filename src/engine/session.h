// session.h — one request at a time against a Model: decoder, KV cache,
// scratch; runs a Generation (engine/generation.h: prefill, then decode steps
// of the last token and its draft) to the end. Tokens stream to a callback as
// text as soon as they form complete UTF-8.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/generation.h"
#include "engine/model.h"
#include "nn/text_decoder.h"
#include "text/prompt.h"

namespace ecgr1 {

// Refuses `caches` KV caches of `ctx` tokens that could not fit in this
// machine's memory, with a message instead of an allocation failure; returns ctx.
size_t CheckedContext(const TextConfig& c, size_t ctx, size_t caches = 1);

class Session {
 public:
  // ctx: KV cache capacity in tokens (prompt + generated).
  Session(const Model& model, size_t ctx);
  // Runs one request to the end (the cache starts empty). on_text receives
  // each new piece of text (complete UTF-8) as it is produced.
  GenerateResult Generate(const PromptPlan& plan, const GenerateOptions& opt,
                          const std::function<void(const std::string&)>& on_text = nullptr);
  TextDecoder& decoder() { return decoder_; }
  KvCache& cache() { return cache_; }

 private:
  const Model& model_;
  TextDecoder decoder_;
  KvCache cache_;
  std::vector<float> x_, logits_;  // decode-step scratch
};

}  // namespace ecgr1
