// test_kv_cache.cc — the KV cache's size and its lazily committed memory.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

#include "nn/kv_cache.h"

namespace ecgr1 {
namespace {

// Resident set size of this process in bytes (Linux /proc/self/statm).
size_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int got = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace

TEST_CASE("KV cache is bf16 and costs no resident memory until written", "[kv_cache]") {
  TextConfig c;  // the 8B decoder's cache shape
  c.layers = 36;
  c.kv_heads = 8;
  c.head_dim = 128;
  const size_t ctx = 4096, row = 8 * 128;
  const size_t before = ResidentBytes();
  KvCache cache(c, ctx);
  CHECK(cache.row() == row);
  CHECK(cache.bytes() == 2 * 36 * ctx * row * sizeof(uint16_t));  // 604 MB
  CHECK(KvCache::BytesFor(c, ctx) == cache.bytes());
  // Write the first token of every layer, as a one-token prefill would.
  for (size_t l = 0; l < 36; ++l) {
    CHECK(cache.K(l, 0)[row - 1] == 0);  // fresh pages read as zero
    for (size_t i = 0; i < row; ++i) cache.K(l, 0)[i] = cache.V(l, 0)[i] = 0x3f80;  // bf16 1.0
  }
  CHECK(cache.V(35, ctx - 1) + row == cache.K(0, 0) + cache.bytes() / sizeof(uint16_t));  // rows in bounds
  const size_t after = ResidentBytes();
  INFO("resident before " << before << " after " << after);
  if (before != 0) CHECK(after < before + (16u << 20));  // 72 touched pages, not 604 MB
}

}  // namespace ecgr1
