// kv_cache.h — per-request key/value cache of the text decoder.
//
// Keys are stored after k_norm and RoPE (rotated), values as projected, both
// rounded to bf16 (nearest even): half the memory of f32 and the type the
// weights already use; attention widens them back to f32 (kernels/attention_ops.h).
// (A chunk attends to its own keys/values in f32 before rounding: see
// TextDecoder::Attention.)
// Layout per layer: [capacity, kv_heads * head_dim] bf16, contiguous rows so
// attention streams them. Capacity is fixed at creation (--ctx); the decoder
// refuses to run past it rather than reallocating inside the token loop.
//
// The storage is an anonymous private mapping: the kernel supplies zeroed pages
// on first write, so capacity not yet used costs address space but no resident
// memory (std::vector would zero-fill, touching every page up front).
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/config.h"

namespace ecgr1 {

class KvCache {
 public:
  KvCache(const TextConfig& c, size_t capacity);
  ~KvCache();
  KvCache(const KvCache&) = delete;
  KvCache& operator=(const KvCache&) = delete;

  // Bytes of keys and values for `capacity` tokens (what the constructor maps).
  static size_t BytesFor(const TextConfig& c, size_t capacity);

  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }        // tokens stored
  size_t row() const { return row_; }          // elements per token per layer (kv_heads * head_dim)
  uint16_t* K(size_t layer, size_t pos) { return k_ + (layer * capacity_ + pos) * row_; }
  uint16_t* V(size_t layer, size_t pos) { return v_ + (layer * capacity_ + pos) * row_; }
  void Advance(size_t n) { size_ += n; }
  void Clear() { size_ = 0; }
  // Forgets every token from `size` on (the rejected draft tokens of a
  // verification step); their rows are overwritten by the next ones.
  void Truncate(size_t size) { size_ = size < size_ ? size : size_; }
  size_t bytes() const { return bytes_; }      // mapped (not necessarily resident)

 private:
  size_t capacity_, row_, size_ = 0, bytes_ = 0;
  void* base_ = nullptr;  // one mapping: keys of all layers, then values
  uint16_t* k_ = nullptr;
  uint16_t* v_ = nullptr;
};

}  // namespace ecgr1
