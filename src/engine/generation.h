// generation.h — one request's decoding in progress, stepped from outside.
//
// Session::Generate runs one Generation to the end; BatchDecoder steps several
// together, their rows in one decoder pass. A Generation owns what belongs to
// the request (sampler, history, drafter, UTF-8 stream, result); the KV cache
// and the decoder belong to whoever steps it.
//
// A step: NextRows() gives the last decided token and its draft (empty unless
// drafting) with their positions; the caller runs them through
// TextDecoder::Steps and Logits; Accept() takes the logits rows, keeps the
// draft tokens that greedy decoding would have produced, adds the model's own
// next token, and rolls the cache back over the rejected rows.
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
  // (progress reports; the text itself goes to the on_text callback).
  std::function<void(size_t generated)> on_token;
  // Speculative decoding (greedy only: ignored when the sampler draws):
  // drafts of up to draft_max tokens (0: what this CPU's kernels verify
  // cheaply, kernels::DraftTokensHint) from this request's own text and from
  // `draft_store` (earlier outputs, a corpus; may be null).
  bool draft = true;
  size_t draft_max = 0;
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

class Generation {
 public:
  // Validates the prompt against the model and the cache's free room.
  Generation(const Model& model, const PromptPlan& plan, const GenerateOptions& opt, const KvCache& cache,
             std::function<void(const std::string&)> on_text = nullptr);
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  // Runs the prompt into `cache` and decides the first token.
  void Prefill(TextDecoder& decoder, KvCache& cache);
  bool done() const { return done_; }
  // The rows of the next decode step (valid until Accept): ids and positions.
  const std::vector<int32_t>& NextRows(const KvCache& cache);
  const Positions& positions() const { return pos_; }
  size_t NextRowsCount() const { return rows_.size(); }
  // logits: [NextRows().size(), vocab] for those rows, which the caller has
  // appended to `cache`.
  void Accept(float* logits, KvCache& cache);
  // The result; complete once done() (text flushed, decode time set).
  GenerateResult& result() { return r_; }

 private:
  bool Emit(int32_t id);  // false when generation ends with `id`
  void Finish();

  const Model& model_;
  const PromptPlan& plan_;
  GenerateOptions opt_;
  std::function<void(const std::string&)> on_text_;
  std::vector<int32_t> stops_;
  size_t max_new_ = 0, vocab_ = 0;
  Sampler sampler_;
  std::vector<int32_t> history_, rows_;
  Drafter drafter_;
  Utf8Stream stream_;
  Positions pos_;
  GenerateResult r_;
  int32_t last_ = 0;  // the last decided token, not yet run through the decoder
  bool done_ = false;
  std::chrono::steady_clock::time_point t_decode_;
};

}  // namespace ecgr1
