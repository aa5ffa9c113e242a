#include "nn/kv_cache.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace ecgr1 {

size_t KvCache::BytesFor(const TextConfig& c, size_t capacity) {
  size_t b = 2 * sizeof(uint16_t);
  if (__builtin_mul_overflow(b, static_cast<size_t>(c.layers), &b) || __builtin_mul_overflow(b, capacity, &b) ||
      __builtin_mul_overflow(b, static_cast<size_t>(c.kv_heads) * static_cast<size_t>(c.head_dim), &b))
    Fail(ExitCode::kUsage, "a KV cache of %zu tokens does not fit in memory (lower --ctx)", capacity);
  return b;
}

KvCache::KvCache(const TextConfig& c, size_t capacity)
    : capacity_(capacity), row_(static_cast<size_t>(c.kv_heads * c.head_dim)), bytes_(BytesFor(c, capacity)) {
  if (bytes_ == 0) return;
  // Pages become resident only when first written (see the header).
  base_ = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base_ == MAP_FAILED) {
    base_ = nullptr;
    Fail(ExitCode::kUsage, "cannot reserve %.1f MB for the KV cache of %zu tokens: %s (lower --ctx)",
         static_cast<double>(bytes_) / 1e6, capacity, std::strerror(errno));
  }
  k_ = static_cast<uint16_t*>(base_);
  v_ = k_ + bytes_ / sizeof(uint16_t) / 2;
}

KvCache::~KvCache() {
  if (base_ != nullptr) ::munmap(base_, bytes_);
}

}  // namespace ecgr1
