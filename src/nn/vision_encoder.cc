#include "nn/vision_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.h"
#include "kernels/gemm.h"
#include "kernels/ops.h"
#include "nn/attention.h"

namespace ecgr1 {
namespace {

constexpr float kLayerNormEps = 1e-6f;
constexpr float kRopeTheta = 10000.0f;

// torch.linspace(start, end, n) in float32: the first half counts up from
// start, the second half down from end.
std::vector<float> Linspace(float start, float end, int n) {
  std::vector<float> v(static_cast<size_t>(n));
  if (n == 1) {
    v[0] = start;
    return v;
  }
  const float step = (end - start) / static_cast<float>(n - 1);
  for (int i = 0; i < n; ++i)
    v[static_cast<size_t>(i)] = i < n / 2 ? start + step * static_cast<float>(i)
                                          : end - step * static_cast<float>(n - 1 - i);
  return v;
}

// Row index of patch (r, c) in the 2x2-window order of the pixel rows.
size_t WindowOrder(int r, int c, int gw, int merge) {
  const int br = r / merge, ir = r % merge, bc = c / merge, ic = c % merge;
  return static_cast<size_t>(((br * (gw / merge) + bc) * merge + ir) * merge + ic);
}

}  // namespace

VisionEncoder::VisionEncoder(const VisionWeights& w, const VisionConfig& c) : w_(w), c_(c) {}

std::vector<float> VisionEncoder::PositionEmbeddings(int gh, int gw) const {
  const size_t W = static_cast<size_t>(c_.hidden);
  const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(c_.num_position_embeddings))));
  const std::vector<float> hs = Linspace(0.0f, static_cast<float>(side - 1), gh);
  const std::vector<float> ws = Linspace(0.0f, static_cast<float>(side - 1), gw);
  std::vector<float> out(static_cast<size_t>(gh) * static_cast<size_t>(gw) * W);
  std::vector<float> t00(W), t01(W), t10(W), t11(W);
  for (int r = 0; r < gh; ++r) {
    const int h0 = static_cast<int>(hs[static_cast<size_t>(r)]), h1 = std::min(h0 + 1, side - 1);
    const float dh = hs[static_cast<size_t>(r)] - static_cast<float>(h0);
    for (int c = 0; c < gw; ++c) {
      const int w0 = static_cast<int>(ws[static_cast<size_t>(c)]), w1 = std::min(w0 + 1, side - 1);
      const float dw = ws[static_cast<size_t>(c)] - static_cast<float>(w0);
      kernels::RowToF32(w_.pos_embed, static_cast<size_t>(h0 * side + w0), t00.data());
      kernels::RowToF32(w_.pos_embed, static_cast<size_t>(h0 * side + w1), t01.data());
      kernels::RowToF32(w_.pos_embed, static_cast<size_t>(h1 * side + w0), t10.data());
      kernels::RowToF32(w_.pos_embed, static_cast<size_t>(h1 * side + w1), t11.data());
      const float a = (1 - dh) * (1 - dw), b = (1 - dh) * dw, cc = dh * (1 - dw), d = dh * dw;
      float* o = &out[WindowOrder(r, c, gw, static_cast<int>(c_.merge)) * W];
      // Same summation order as the reference: ((p00 + p01) + p10) + p11.
      for (size_t i = 0; i < W; ++i) o[i] = ((t00[i] * a + t01[i] * b) + t10[i] * cc) + t11[i] * d;
    }
  }
  return out;
}

VisionOutput VisionEncoder::Encode(const float* pixel_values, int gh, int gw, const Dump& dump) const {
  const int merge = static_cast<int>(c_.merge);
  if (gh <= 0 || gw <= 0 || gh % merge != 0 || gw % merge != 0)
    Fail(ExitCode::kInternal, "vision grid %d x %d is not a positive multiple of %d", gh, gw, merge);
  const size_t W = static_cast<size_t>(c_.hidden), n = static_cast<size_t>(gh) * static_cast<size_t>(gw);
  const size_t hd = W / static_cast<size_t>(c_.heads), half = hd / 2, quarter = hd / 4;
  const size_t ff = static_cast<size_t>(c_.intermediate);

  std::vector<float> x(n * W);
  kernels::Gemm(w_.patch_embed, pixel_values, n, x.data(), w_.patch_embed_b);
  if (dump) dump("vision_patch_embed_out", x.data(), n, W);
  const std::vector<float> pos = PositionEmbeddings(gh, gw);
  kernels::Add(pos.data(), x.data(), n * W);

  // 2-D rotary angles per patch row: rows use the first quarter of the
  // frequencies' slots, columns the second (rotate-half over hd).
  std::vector<float> inv(quarter);
  for (size_t k = 0; k < quarter; ++k)
    inv[k] = 1.0f / std::pow(kRopeTheta, static_cast<float>(2 * k) / static_cast<float>(half));
  std::vector<float> cos_(n * half), sin_(n * half);
  for (int r = 0; r < gh; ++r)
    for (int c = 0; c < gw; ++c) {
      const size_t row = WindowOrder(r, c, gw, merge);
      for (size_t k = 0; k < quarter; ++k) {
        const float ar = static_cast<float>(r) * inv[k], ac = static_cast<float>(c) * inv[k];
        cos_[row * half + k] = std::cos(ar);
        sin_[row * half + k] = std::sin(ar);
        cos_[row * half + quarter + k] = std::cos(ac);
        sin_[row * half + quarter + k] = std::sin(ac);
      }
    }

  VisionOutput out;
  std::vector<float> a(n * W), qkv(n * 3 * W), attn(n * W), h(n * ff);
  for (size_t b = 0; b < w_.blocks.size(); ++b) {
    const VisionBlockWeights& k = w_.blocks[b];
    for (size_t i = 0; i < n; ++i) kernels::LayerNorm(&x[i * W], k.norm1_w, k.norm1_b, W, kLayerNormEps, &a[i * W]);
    kernels::Gemm(k.qkv, a.data(), n, qkv.data(), k.qkv_b);
    FullAttention(qkv.data(), n, W, static_cast<size_t>(c_.heads), cos_.data(), sin_.data(), attn.data(),
                  k.qkv.bf16_activations);
    kernels::Gemm(k.proj, attn.data(), n, a.data(), k.proj_b);
    kernels::Add(a.data(), x.data(), n * W);
    for (size_t i = 0; i < n; ++i) kernels::LayerNorm(&x[i * W], k.norm2_w, k.norm2_b, W, kLayerNormEps, &a[i * W]);
    kernels::Gemm(k.fc1, a.data(), n, h.data(), k.fc1_b);
    kernels::GeluTanh(h.data(), n * ff);
    kernels::Gemm(k.fc2, h.data(), n, a.data(), k.fc2_b);
    kernels::Add(a.data(), x.data(), n * W);
    if (dump) dump("vision_block" + std::to_string(b) + "_out", x.data(), n, W);
    for (size_t t = 0; t < c_.deepstack_indexes.size(); ++t)
      if (c_.deepstack_indexes[t] == static_cast<int64_t>(b))
        out.deepstack.push_back(Merge(w_.deepstack[t], x.data(), n, /*norm_after_grouping=*/true));
  }
  out.merged = Merge(w_.merger, x.data(), n, /*norm_after_grouping=*/false);
  return out;
}

// Groups every 4 consecutive patch rows (one 2x2 window) into one token.
std::vector<float> VisionEncoder::Merge(const MergerWeights& m, const float* x, size_t n, bool norm_after_grouping) const {
  const size_t W = static_cast<size_t>(c_.hidden), group = static_cast<size_t>(c_.merge * c_.merge);
  const size_t tokens = n / group, Wm = W * group, H = static_cast<size_t>(c_.out_hidden);
  std::vector<float> g(n * W);  // [tokens, Wm]: rows are already contiguous in window order
  if (norm_after_grouping) {
    for (size_t t = 0; t < tokens; ++t) kernels::LayerNorm(x + t * Wm, m.norm_w, m.norm_b, Wm, kLayerNormEps, &g[t * Wm]);
  } else {
    for (size_t i = 0; i < n; ++i) kernels::LayerNorm(x + i * W, m.norm_w, m.norm_b, W, kLayerNormEps, &g[i * W]);
  }
  std::vector<float> mid(tokens * Wm), out(tokens * H);
  kernels::Gemm(m.fc1, g.data(), tokens, mid.data(), m.fc1_b);
  kernels::GeluErf(mid.data(), tokens * Wm);
  kernels::Gemm(m.fc2, mid.data(), tokens, out.data(), m.fc2_b);
  return out;
}

}  // namespace ecgr1
