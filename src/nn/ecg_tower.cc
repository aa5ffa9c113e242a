#include "nn/ecg_tower.h"

#include <cmath>
#include <cstring>

#include "kernels/gemm.h"
#include "kernels/ops.h"
#include "nn/attention.h"

namespace ecgr1 {
namespace {

constexpr float kLayerNormEps = 1e-5f;  // PyTorch LayerNorm default, as open_clip builds it

void LayerNormRows(const float* x, size_t n, size_t w, const float* g, const float* b, float* out) {
  for (size_t i = 0; i < n; ++i) kernels::LayerNorm(x + i * w, g, b, w, kLayerNormEps, out + i * w);
}

}  // namespace

EcgTower::EcgTower(const EcgWeights& w, const EcgConfig& c, int64_t text_hidden)
    : w_(w), c_(c), hidden_(text_hidden) {}

std::vector<float> EcgTower::Encode(const float* x, const Dump& dump) const {
  const size_t W = static_cast<size_t>(c_.width), leads = static_cast<size_t>(c_.leads);
  const size_t patch = static_cast<size_t>(c_.patch), samples = static_cast<size_t>(c_.seq_length);
  const size_t np = samples / patch, n = np + 1;

  // Patch conv as a matmul: row j = the leads x patch window at 50j, in
  // (lead, sample) order, which is the flatten order of the conv weight.
  std::vector<float> windows(np * leads * patch);
  for (size_t j = 0; j < np; ++j)
    for (size_t l = 0; l < leads; ++l)
      std::memcpy(&windows[(j * leads + l) * patch], x + l * samples + j * patch, patch * sizeof(float));
  std::vector<float> t(n * W);
  kernels::Gemm(w_.conv1, windows.data(), np, t.data() + W);
  std::memcpy(t.data(), w_.class_embedding, W * sizeof(float));
  std::vector<float> row(W);
  for (size_t i = 0; i < n; ++i) {
    kernels::RowToF32(w_.positional_embedding, i, row.data());
    kernels::Add(row.data(), t.data() + i * W, W);
  }
  LayerNormRows(t.data(), n, W, w_.ln_pre_w, w_.ln_pre_b, t.data());
  if (dump) dump("ecg_tower_ln_pre_out", t.data(), n, W);

  std::vector<float> a(n * W), qkv(n * 3 * W), attn(n * W), h(n * 4 * W);
  for (size_t b = 0; b < w_.blocks.size(); ++b) {
    const EcgBlockWeights& k = w_.blocks[b];
    LayerNormRows(t.data(), n, W, k.ln1_w, k.ln1_b, a.data());
    kernels::Gemm(k.in_proj, a.data(), n, qkv.data(), k.in_proj_b);
    FullAttention(qkv.data(), n, W, W / static_cast<size_t>(c_.head_width), nullptr, nullptr, attn.data());
    kernels::Gemm(k.out_proj, attn.data(), n, a.data(), k.out_proj_b);
    kernels::Add(a.data(), t.data(), n * W);
    LayerNormRows(t.data(), n, W, k.ln2_w, k.ln2_b, a.data());
    kernels::Gemm(k.fc, a.data(), n, h.data(), k.fc_b);
    kernels::GeluErf(h.data(), n * 4 * W);
    kernels::Gemm(k.proj, h.data(), n, a.data(), k.proj_b);
    kernels::Add(a.data(), t.data(), n * W);
    if (dump) dump("ecg_tower_block" + std::to_string(b) + "_out", t.data(), n, W);
  }
  if (dump) dump("ecg_tower_out", t.data(), n, W);
  return t;
}

std::vector<float> EcgTower::Project(const std::vector<float>& tower_out) const {
  const size_t n = static_cast<size_t>(c_.tokens()), H = static_cast<size_t>(hidden_);
  std::vector<float> mid(n * H), out(n * H);
  kernels::Gemm(w_.proj0, tower_out.data(), n, mid.data(), w_.proj0_b);
  kernels::GeluErf(mid.data(), n * H);
  kernels::Gemm(w_.proj2, mid.data(), n, out.data(), w_.proj2_b);
  return out;
}

}  // namespace ecgr1
