#include "nn/kv_cache.h"

namespace ecgr1 {

KvCache::KvCache(const TextConfig& c, size_t capacity)
    : capacity_(capacity), row_(static_cast<size_t>(c.kv_heads * c.head_dim)) {
  const size_t n = static_cast<size_t>(c.layers) * capacity_ * row_;
  k_.assign(n, 0.0f);
  v_.assign(n, 0.0f);
}

}  // namespace ecgr1
