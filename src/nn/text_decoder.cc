#include "nn/text_decoder.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/bf16.h"
#include "base/error.h"
#include "kernels/ops.h"

namespace ecgr1 {
namespace {

void Grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

// The MLP runs on at most this many rows at a time: its two [rows, intermediate]
// scratch buffers would otherwise take 2 * n * ff floats in a long prefill
// (400 MB for 4096 tokens of the 8B model). Rows are independent, and the
// Highway MatMul gives a row the same bits whatever n, so this changes no number
// there (other MatMul paths at most in rounding).
constexpr size_t kMlpRows = 256;

}  // namespace

TextDecoder::TextDecoder(const TextWeights& w, const TextConfig& c) : w_(w), c_(c), rope_(c) {}

void TextDecoder::Embed(const int32_t* ids, size_t n, float* out) const {
  const size_t d = static_cast<size_t>(c_.hidden);
  for (size_t i = 0; i < n; ++i) kernels::RowToF32(w_.embed, static_cast<size_t>(ids[i]), out + i * d);
}

void TextDecoder::Forward(float* x, size_t n, const Positions& pos, KvCache& cache, const DecoderHooks* hooks) {
  if (n == 0) return;
  Run(x, n, pos, {SeqRows{&cache, 0, n}}, true, hooks);
}

void TextDecoder::Steps(float* x, size_t n, const Positions& pos, const std::vector<SeqRows>& seqs) {
  if (n == 0) return;
  size_t next = 0;
  for (const SeqRows& s : seqs) {
    if (s.cache == nullptr || s.first != next || s.count == 0)
      Fail(ExitCode::kInternal, "decode steps: sequence rows are not contiguous");
    next += s.count;
  }
  if (next != n) Fail(ExitCode::kInternal, "decode steps: %zu rows given for %zu", next, n);
  Run(x, n, pos, seqs, false, nullptr);
}

void TextDecoder::Run(float* x, size_t n, const Positions& pos, const std::vector<SeqRows>& seqs, bool f32_chunk,
                      const DecoderHooks* hooks) {
  std::vector<size_t>& starts = starts_;  // cache size of each sequence before this chunk
  starts.clear();
  size_t max_capacity = 0;
  row_seq_.resize(n);
  for (size_t s = 0; s < seqs.size(); ++s) {
    const KvCache& cache = *seqs[s].cache;
    if (cache.size() + seqs[s].count > cache.capacity())
      Fail(ExitCode::kUsage, "context full: %zu tokens do not fit in a context of %zu (raise --ctx)",
           cache.size() + seqs[s].count, cache.capacity());
    starts.push_back(cache.size());
    max_capacity = std::max(max_capacity, cache.capacity());
    for (size_t i = 0; i < seqs[s].count; ++i) row_seq_[seqs[s].first + i] = static_cast<uint32_t>(s);
  }
  const size_t d = static_cast<size_t>(c_.hidden), hd = static_cast<size_t>(c_.head_dim);
  const size_t nq = static_cast<size_t>(c_.heads), nkv = static_cast<size_t>(c_.kv_heads);
  const size_t ff = static_cast<size_t>(c_.intermediate), half = hd / 2;
  const float eps = static_cast<float>(c_.rms_eps);
  Grow(norm_, n * d);
  Grow(q_, n * nq * hd);
  Grow(k_, n * nkv * hd);
  Grow(v_, n * nkv * hd);
  Grow(attn_, n * nq * hd);
  Grow(gate_, std::min(n, kMlpRows) * ff);
  Grow(up_, std::min(n, kMlpRows) * ff);
  // Per-thread attention scores, one row of cache capacity each; sized here
  // (once per cache and thread count) so Attention allocates nothing.
  Grow(scores_, static_cast<size_t>(omp_get_max_threads()) * max_capacity);
  Grow(cos_, n * half);
  Grow(sin_, n * half);
  for (size_t i = 0; i < n; ++i) rope_.Angles(pos.t[i], pos.h[i], pos.w[i], &cos_[i * half], &sin_[i * half]);

  for (size_t l = 0; l < w_.layers.size(); ++l) {
    const TextLayerWeights& L = w_.layers[l];
    // --- attention block ---
    for (size_t i = 0; i < n; ++i) kernels::RmsNorm(x + i * d, L.input_norm, d, eps, &norm_[i * d]);
    kernels::MatMul(L.q, norm_.data(), n, q_.data());
    kernels::MatMul(L.k, norm_.data(), n, k_.data());
    kernels::MatMul(L.v, norm_.data(), n, v_.data());
    // Per-head q/k RMSNorm, then rotary (in f32); keys and values go to the
    // cache as bf16.
    for (size_t i = 0; i < n; ++i) {
      const float* cs = &cos_[i * half];
      const float* sn = &sin_[i * half];
      for (size_t h = 0; h < nq; ++h) {
        float* qh = &q_[(i * nq + h) * hd];
        kernels::RmsNorm(qh, L.q_norm, hd, eps, qh);
        kernels::RopeRotateHalf(qh, cs, sn, hd);
      }
      float* ki = &k_[i * nkv * hd];
      for (size_t h = 0; h < nkv; ++h) {
        float* kh = ki + h * hd;
        kernels::RmsNorm(kh, L.k_norm, hd, eps, kh);
        kernels::RopeRotateHalf(kh, cs, sn, hd);
      }
      const size_t s = row_seq_[i], at = starts[s] + i - seqs[s].first;
      F32ToBf16(ki, seqs[s].cache->K(l, at), nkv * hd);
      F32ToBf16(&v_[i * nkv * hd], seqs[s].cache->V(l, at), nkv * hd);
    }
    Attention(l, q_.data(), k_.data(), v_.data(), n, seqs, starts, f32_chunk, attn_.data());
    kernels::MatMul(L.o, attn_.data(), n, norm_.data());
    kernels::Add(norm_.data(), x, n * d);
    // --- MLP block, in blocks of kMlpRows rows ---
    for (size_t b = 0; b < n; b += kMlpRows) {
      const size_t m = std::min(kMlpRows, n - b);
      float* xb = x + b * d;
      for (size_t i = 0; i < m; ++i) kernels::RmsNorm(xb + i * d, L.post_norm, d, eps, &norm_[i * d]);
      kernels::MatMul(L.gate, norm_.data(), m, gate_.data());
      kernels::MatMul(L.up, norm_.data(), m, up_.data());
      kernels::SiluMul(gate_.data(), up_.data(), m * ff);
      kernels::MatMul(L.down, gate_.data(), m, norm_.data());
      kernels::Add(norm_.data(), xb, m * d);
    }
    if (hooks != nullptr && hooks->on_layer_out) hooks->on_layer_out(static_cast<int>(l), x, n);
    if (hooks != nullptr && hooks->deepstack) hooks->deepstack(static_cast<int>(l), x, n);
  }
  for (const SeqRows& sr : seqs) sr.cache->Advance(sr.count);
  for (size_t i = 0; i < n; ++i) kernels::RmsNorm(x + i * d, w_.final_norm, d, eps, x + i * d);
}

// Causal attention of n new queries over their sequences' caches. q: [n,
// heads, hd] (normed, rotated); out: [n, heads, hd]. Row i of sequence s is
// cache index starts[s] + (i - first); its own key/value (k, v: [n, kv_heads *
// hd], f32, k normed and rotated) is read from scratch, unrounded, and so are
// those of the earlier rows of its chunk when f32_chunk; everything else comes
// from the bf16 cache (this chunk's rows were written there before the call).
// So a prefill attends in f32 throughout, as transformers does, and bf16
// rounding touches only what decode steps read back (as vLLM does with an fp8
// cache); rounding the prompt too cost ~1000x on the golden tolerances. A
// decode step sees earlier steps rounded, whether they ran in its chunk or not.
void TextDecoder::Attention(size_t layer, const float* q, const float* k, const float* v, size_t n,
                            const std::vector<SeqRows>& seqs, const std::vector<size_t>& starts, bool f32_chunk,
                            float* out) {
  const size_t hd = static_cast<size_t>(c_.head_dim), nq = static_cast<size_t>(c_.heads);
  const size_t group = nq / static_cast<size_t>(c_.kv_heads);
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  size_t max_len = 0;
  for (size_t s = 0; s < seqs.size(); ++s) max_len = std::max(max_len, starts[s] + seqs[s].count);
  const size_t scores_row = scores_.size() / static_cast<size_t>(omp_get_max_threads());
  const long work = static_cast<long>(n * nq);
#pragma omp parallel if (work * max_len > 4096)
  {
    // This thread's row of the scores scratch (sized in Run).
    float* scores = &scores_[static_cast<size_t>(omp_get_thread_num()) * scores_row];
#pragma omp for schedule(dynamic, 4)
    for (long wi = 0; wi < work; ++wi) {
      const size_t i = static_cast<size_t>(wi) / nq, h = static_cast<size_t>(wi) % nq;
      const SeqRows& sr = seqs[row_seq_[i]];
      KvCache& cache = *sr.cache;
      const size_t row = cache.row(), kvh = h / group;
      const size_t start = starts[row_seq_[i]], at = start + i - sr.first, len = at + 1;
      const size_t cached = f32_chunk ? start : at;  // keys [0, cached) from the bf16 cache
      const float* chunk_k = k + sr.first * row + kvh * hd;  // row `start` of the sequence, in scratch
      const float* chunk_v = v + sr.first * row + kvh * hd;
      const float* qh = q + (i * nq + h) * hd;
      for (size_t j = 0; j < cached; ++j) scores[j] = kernels::DotBf16(qh, cache.K(layer, j) + kvh * hd, hd) * scale;
      for (size_t j = cached; j < len; ++j) scores[j] = kernels::Dot(qh, chunk_k + (j - start) * row, hd) * scale;
      kernels::Softmax(scores, len);
      float* oh = out + (i * nq + h) * hd;
      std::memset(oh, 0, hd * sizeof(float));
      for (size_t j = 0; j < cached; ++j) kernels::AxpyBf16(scores[j], cache.V(layer, j) + kvh * hd, oh, hd);
      for (size_t j = cached; j < len; ++j) kernels::Axpy(scores[j], chunk_v + (j - start) * row, oh, hd);
    }
  }
}

void TextDecoder::Logits(const float* hidden, size_t n, float* logits) const {
  kernels::MatMul(w_.lm_head, hidden, n, logits);
}

}  // namespace ecgr1
