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
  const size_t start = cache.size();
  if (start + n > cache.capacity())
    Fail(ExitCode::kUsage, "context full: %zu tokens do not fit in a context of %zu (raise --ctx)", start + n,
         cache.capacity());
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
  Grow(scores_, static_cast<size_t>(omp_get_max_threads()) * cache.capacity());
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
      F32ToBf16(ki, cache.K(l, start + i), nkv * hd);
      F32ToBf16(&v_[i * nkv * hd], cache.V(l, start + i), nkv * hd);
    }
    Attention(l, q_.data(), k_.data(), v_.data(), n, start, cache, attn_.data());
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
  cache.Advance(n);
  for (size_t i = 0; i < n; ++i) kernels::RmsNorm(x + i * d, w_.final_norm, d, eps, x + i * d);
}

// Causal attention of n new queries (cache indices start..start+n-1) over the
// cache. q: [n, heads, hd] (normed, rotated); out: [n, heads, hd].
// Keys/values of earlier chunks are read from the bf16 cache; those of this
// chunk (k, v: [n, kv_heads * hd], f32, k normed and rotated) from scratch,
// unrounded. So a prefill attends in f32 throughout, as transformers does, and
// bf16 rounding touches only what decode steps read back (as vLLM does with
// an fp8 cache); rounding the prompt too cost ~1000x on the golden tolerances.
void TextDecoder::Attention(size_t layer, const float* q, const float* k, const float* v, size_t n, size_t start,
                            KvCache& cache, float* out) {
  const size_t hd = static_cast<size_t>(c_.head_dim), nq = static_cast<size_t>(c_.heads);
  const size_t group = nq / static_cast<size_t>(c_.kv_heads), row = cache.row();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const size_t total = start + n;
  const long work = static_cast<long>(n * nq);
#pragma omp parallel if (work * total > 4096)
  {
    // This thread's row of the scores scratch (sized in Forward).
    float* scores = &scores_[static_cast<size_t>(omp_get_thread_num()) * cache.capacity()];
#pragma omp for schedule(dynamic, 4)
    for (long wi = 0; wi < work; ++wi) {
      const size_t i = static_cast<size_t>(wi) / nq, h = static_cast<size_t>(wi) % nq;
      const size_t kvh = h / group, len = start + i + 1;
      const float* qh = q + (i * nq + h) * hd;
      for (size_t j = 0; j < start; ++j) scores[j] = kernels::DotBf16(qh, cache.K(layer, j) + kvh * hd, hd) * scale;
      for (size_t j = start; j < len; ++j) scores[j] = kernels::Dot(qh, k + (j - start) * row + kvh * hd, hd) * scale;
      kernels::Softmax(scores, len);
      float* oh = out + (i * nq + h) * hd;
      std::memset(oh, 0, hd * sizeof(float));
      for (size_t j = 0; j < start; ++j) kernels::AxpyBf16(scores[j], cache.V(layer, j) + kvh * hd, oh, hd);
      for (size_t j = start; j < len; ++j) kernels::Axpy(scores[j], v + (j - start) * row + kvh * hd, oh, hd);
    }
  }
}

void TextDecoder::Logits(const float* hidden, size_t n, float* logits) const {
  kernels::MatMul(w_.lm_head, hidden, n, logits);
}

}  // namespace ecgr1
