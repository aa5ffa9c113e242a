// text_decoder.h — the Qwen3 decoder of Qwen3-VL, as ECG-R1 runs it.
//
// Per layer (pre-norm): h += o_proj(Attn(RMSNorm(h))); h += down(SiLU(gate(m)) * up(m))
// with m = RMSNorm(h). Attention: GQA, per-head q/k RMSNorm before interleaved
// MRoPE, scale hd^-0.5, causal over the whole cache. Final RMSNorm, untied
// lm_head. Works on a chunk of n new tokens appended to a KvCache: prefill is
// one chunk of the prompt, decode is chunks of one token.
//
// Steps() runs decode steps of several tokens and several sequences in one
// pass, reading every weight matrix once for all of them: the draft tokens of
// speculative decoding (verified together) and the records of batched
// decoding (each continuing its own KvCache). Every row gets exactly the
// numbers it would get alone, one token at a time: matrix products give a row
// the same bits whatever the number of rows, and a row attends to the earlier
// rows of its chunk through the bf16 cache, as a later single step would.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "model/weights.h"
#include "nn/kv_cache.h"
#include "nn/mrope.h"

namespace ecgr1 {

// 3 x n positions (t, h, w) of the tokens of one chunk.
struct Positions {
  std::vector<int64_t> t, h, w;
  size_t size() const { return t.size(); }
  void Push(int64_t tt, int64_t hh, int64_t ww) {
    t.push_back(tt);
    h.push_back(hh);
    w.push_back(ww);
  }
};

struct DecoderHooks {
  // Called with the output of decoder layer `layer` (hidden [n, d], before any
  // DeepStack addition), e.g. to compare with golden `text_layer{i}_out`.
  std::function<void(int layer, const float* hidden, size_t n)> on_layer_out;
  // Called right after on_layer_out; may add visual features in place
  // (DeepStack: features tapped from the vision encoder after layers 0, 1, 2).
  std::function<void(int layer, float* hidden, size_t n)> deepstack;
};

// Rows [first, first + count) of a Steps() chunk continue the sequence in `cache`.
struct SeqRows {
  KvCache* cache = nullptr;
  size_t first = 0, count = 0;
};

class TextDecoder {
 public:
  TextDecoder(const TextWeights& w, const TextConfig& c);

  // Embedding lookup: out[n, d] = rows of embed_tokens. Ids must be < vocab
  // (the caller validates).
  void Embed(const int32_t* ids, size_t n, float* out) const;

  // Runs n tokens with input embeddings x[n, d] at positions `pos`, appending
  // their keys/values to `cache`. On return x holds the final-normed hidden
  // states [n, d]. Throws Error(kUsage) if the cache would overflow.
  void Forward(float* x, size_t n, const Positions& pos, KvCache& cache, const DecoderHooks* hooks = nullptr);

  // Decode steps: rows of x[n, d] (input embeddings, positions `pos`) grouped
  // by sequence in `seqs` (contiguous, in order, covering [0, n)); appends
  // each group to its cache. Row results equal one-token Forward() calls in
  // sequence. Throws Error(kUsage) if a cache would overflow.
  void Steps(float* x, size_t n, const Positions& pos, const std::vector<SeqRows>& seqs);

  // logits[n, vocab] = hidden[n, d] * lm_head^T.
  void Logits(const float* hidden, size_t n, float* logits) const;

  const TextConfig& config() const { return c_; }

 private:
  // f32_chunk: rows attend to the keys/values of earlier rows of their own
  // chunk in f32 (prefill); otherwise through the bf16 cache (decode steps).
  void Run(float* x, size_t n, const Positions& pos, const std::vector<SeqRows>& seqs, bool f32_chunk,
           const DecoderHooks* hooks);
  void Attention(size_t layer, const float* q, const float* k, const float* v, size_t n,
                 const std::vector<SeqRows>& seqs, const std::vector<size_t>& starts, bool f32_chunk, float* out);

  const TextWeights& w_;
  TextConfig c_;
  MRope rope_;
  // Scratch, grown on demand and then reused (no allocation per token).
  std::vector<float> norm_, q_, k_, v_, attn_, gate_, up_, cos_, sin_;
  std::vector<float> scores_;  // attention scores: omp_get_max_threads() rows of cache capacity
  std::vector<uint32_t> row_seq_;  // the sequence of each row of a chunk
  std::vector<size_t> starts_;     // each sequence's cache size before the chunk
};

}  // namespace ecgr1
