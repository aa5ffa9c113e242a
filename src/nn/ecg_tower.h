// ecg_tower.h — the ECG-CoCa signal encoder and ECG-R1's projector.
//
// Tower (open_clip EcgTransformer, as ECG-R1 calls it with
// output_last_transformer_layer=True):
//   x[leads, samples] -> Conv1d(leads -> W, kernel = stride = patch, no bias)
//   -> [patches, W]; prepend class_embedding; + positional_embedding; ln_pre
//   -> pre-LN blocks: x += out_proj(MHA(ln_1(x))); x += c_proj(GELU_erf(c_fc(ln_2(x))))
//   -> output of the last block, all tokens, CLS first (no ln_post, no proj).
// MHA: packed in_proj rows q | k | v, W / head_width heads, scale hd^-0.5, no mask.
// LayerNorm eps 1e-5.
// Projector mlp2x_gelu: Linear(W -> H), GELU_erf, Linear(H -> H).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/weights.h"

namespace ecgr1 {

class EcgTower {
 public:
  EcgTower(const EcgWeights& w, const EcgConfig& c, int64_t text_hidden);

  // Called with named intermediates ("ecg_tower_ln_pre_out",
  // "ecg_tower_block{i}_out", "ecg_tower_out") of shape [tokens, W].
  using Dump = std::function<void(const std::string& name, const float* data, size_t rows, size_t cols)>;

  // x: [leads * samples] lead-major. Returns the tower output [tokens, W].
  std::vector<float> Encode(const float* x, const Dump& dump = nullptr) const;
  // Tower output [tokens, W] -> embeddings [tokens, H].
  std::vector<float> Project(const std::vector<float>& tower_out) const;
  int64_t tokens() const { return c_.tokens(); }

 private:
  const EcgWeights& w_;
  EcgConfig c_;
  int64_t hidden_;
};

}  // namespace ecgr1
