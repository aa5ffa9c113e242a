// kv_cache.h — per-request key/value cache of the text decoder.
//
// Keys are stored after k_norm and RoPE (rotated), values as projected.
// Layout per layer: [capacity, kv_heads * head_dim] float32, contiguous rows so
// attention streams them. Capacity is fixed at creation (--ctx); the decoder
// refuses to run past it rather than reallocating inside the token loop.
#pragma once

#include <cstddef>
#include <vector>

#include "model/config.h"

namespace ecgr1 {

class KvCache {
 public:
  KvCache(const TextConfig& c, size_t capacity);
  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }        // tokens stored
  size_t row() const { return row_; }          // floats per token per layer (kv_heads * head_dim)
  float* K(size_t layer, size_t pos) { return &k_[(layer * capacity_ + pos) * row_]; }
  float* V(size_t layer, size_t pos) { return &v_[(layer * capacity_ + pos) * row_]; }
  void Advance(size_t n) { size_ += n; }
  void Clear() { size_ = 0; }
  size_t bytes() const { return (k_.size() + v_.size()) * sizeof(float); }

 private:
  size_t capacity_, row_, size_ = 0;
  std::vector<float> k_, v_;
};

}  // namespace ecgr1
