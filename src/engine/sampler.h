// sampler.h — picks the next token from a row of logits.
//
// temperature <= 0 means greedy: the arg-max, lowest id on ties (as PyTorch).
// Otherwise, in the order transformers applies them: repetition penalty,
// temperature, top-k, top-p, then a draw from the seeded generator.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace ecgr1 {

struct SamplerConfig {
  float temperature = 0.0f;
  int top_k = 0;                   // 0 = off
  float top_p = 1.0f;              // 1 = off
  float repetition_penalty = 1.0f; // 1 = off
  uint64_t seed = 0;
};

class Sampler {
 public:
  explicit Sampler(const SamplerConfig& c);
  // `history`: ids seen so far (prompt + generated), for the repetition penalty.
  // May modify `logits`.
  int32_t Sample(float* logits, size_t vocab, const std::vector<int32_t>& history);

 private:
  SamplerConfig c_;
  std::mt19937_64 rng_;
  // Scratch reused across calls (capacity kept), so sampling a token does not
  // allocate once the first call has sized them.
  std::vector<std::pair<float, int32_t>> cand_;
  std::vector<uint8_t> seen_;
  std::vector<double> p_;
};

// Index of the largest value, lowest index on ties.
int32_t ArgMax(const float* x, size_t n);

}  // namespace ecgr1
