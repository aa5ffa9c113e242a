#include "engine/sampler.h"

#include <algorithm>
#include <cmath>

namespace ecgr1 {

int32_t ArgMax(const float* x, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return static_cast<int32_t>(best);
}

Sampler::Sampler(const SamplerConfig& c) : c_(c), rng_(c.seed) {}

int32_t Sampler::Sample(float* logits, size_t vocab, const std::vector<int32_t>& history) {
  if (c_.repetition_penalty != 1.0f) {
    // transformers' rule: divide positive logits, multiply negative ones, once per distinct id.
    // seen_ marks ids already penalised (a vocab-sized table kept across calls:
    // no per-token allocation), cleared again afterwards.
    if (seen_.size() != vocab) seen_.assign(vocab, 0);
    for (int32_t id : history) {
      if (id < 0 || static_cast<size_t>(id) >= vocab || seen_[id]) continue;
      seen_[id] = 1;
      float& l = logits[id];
      l = l > 0 ? l / c_.repetition_penalty : l * c_.repetition_penalty;
    }
    for (int32_t id : history)
      if (id >= 0 && static_cast<size_t>(id) < vocab) seen_[id] = 0;
  }
  if (c_.temperature <= 0.0f) return ArgMax(logits, vocab);

  cand_.clear();
  for (size_t i = 0; i < vocab; ++i) cand_.emplace_back(logits[i] / c_.temperature, static_cast<int32_t>(i));
  auto by_logit = [](const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  size_t keep = cand_.size();
  if (c_.top_k > 0 && static_cast<size_t>(c_.top_k) < keep) {
    keep = static_cast<size_t>(c_.top_k);
    std::partial_sort(cand_.begin(), cand_.begin() + keep, cand_.end(), by_logit);
  } else {
    std::sort(cand_.begin(), cand_.end(), by_logit);
  }
  cand_.resize(keep);
  // Softmax over the survivors.
  const float m = cand_[0].first;
  double sum = 0;
  p_.resize(keep);
  std::vector<double>& p = p_;
  for (size_t i = 0; i < keep; ++i) sum += p[i] = std::exp(static_cast<double>(cand_[i].first - m));
  for (size_t i = 0; i < keep; ++i) p[i] /= sum;
  // top-p: the smallest prefix whose mass reaches top_p (always at least one).
  if (c_.top_p < 1.0f) {
    double mass = 0;
    size_t n = 0;
    while (n < keep) {
      mass += p[n++];
      if (mass >= c_.top_p) break;
    }
    keep = n;
    double s = 0;
    for (size_t i = 0; i < keep; ++i) s += p[i];
    for (size_t i = 0; i < keep; ++i) p[i] /= s;
  }
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double r = u(rng_), acc = 0;
  for (size_t i = 0; i < keep; ++i) {
    acc += p[i];
    if (r < acc) return cand_[i].second;
  }
  return cand_[keep - 1].second;
}

}  // namespace ecgr1
