// session.h — one request against a Model: KV cache, scratch, prefill, decode.
//
// Prefill runs the whole expanded prompt in one chunk (embeddings may be
// patched first, e.g. ECG/image rows); decode runs one token per step at
// position cache_index + rope_delta on all three streams. Tokens stream to a
// callback as text as soon as they form complete UTF-8.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "engine/drafter.h"
#include "engine/model.h"
#include "engine/sampler.h"
#include "nn/text_decoder.h"
#include "text/prompt.h"

namespace ecgr1 {

struct GenerateOptions {
  SamplerConfig sampler;
  int max_new_tokens = 2048;
  std::vector<int32_t> stop_ids;  // empty: the model's eos ids
  // Overwrites rows of the prompt embeddings [L, d] before prefill (ECG / image rows).
  std::function<void(float* embeds, size_t n)> patch_embeddings;
  const DecoderHooks* hooks = nullptr;  // prefill only
  // Called after each generated token with the number generated so far
  // (progress reports; the text itself goes to Generate's on_text).
  std::function<void(size_t generated)> on_token;
  // Speculative decoding (greedy only: ignored when the sampler draws):
  // drafts of up to draft_max tokens from this request's own text and from
  // `draft_store` (earlier outputs, a corpus; may be null).
  bool draft = true;
  size_t draft_max = 6;
  const TokenStore* draft_store = nullptr;
};

struct GenerateResult {
  std::vector<int32_t> tokens;  // generated ids, including a final stop id if one was produced
  std::string text;             // decoded, without the final stop token
  std::string finish_reason;    // "stop" (a stop id) or "length" (max_new_tokens)
  size_t prompt_tokens = 0;
  double prefill_ms = 0, decode_ms = 0;
  bool drafting = false;  // speculative decoding was used
  DraftStats draft;
};

class Session {
 public:
  // ctx: KV cache capacity in tokens (prompt + generated).
  Session(const Model& model, size_t ctx);
  // on_text receives each new piece of text (complete UTF-8) as it is produced.
  GenerateResult Generate(const PromptPlan& plan, const GenerateOptions& opt,
                          const std::function<void(const std::string&)>& on_text = nullptr);
  TextDecoder& decoder() { return decoder_; }
  KvCache& cache() { return cache_; }

 private:
  const Model& model_;
  TextDecoder decoder_;
  KvCache cache_;
  std::vector<float> x_, logits_;
};

}  // namespace ecgr1
