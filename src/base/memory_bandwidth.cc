// memory_bandwidth.cc — a read-only streaming pass over a large buffer, split
// over the OpenMP threads; the sum keeps the compiler from skipping the reads.
#include "base/memory_bandwidth.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace ecgr1 {

double MeasureReadBandwidthOf(const std::vector<std::pair<const void*, size_t>>& ranges, int reps) {
  size_t bytes = 0;
  for (const auto& r : ranges) bytes += r.second / sizeof(uint64_t) * sizeof(uint64_t);
  if (bytes == 0) return 0;
  std::vector<double> rates;
  volatile uint64_t sink = 0;
  for (int rep = 0; rep <= std::max(reps, 1); ++rep) {  // pass 0 warms up
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t total = 0;
    for (const auto& r : ranges) {
      const uint64_t* buf = static_cast<const uint64_t*>(r.first);
      const size_t n = r.second / sizeof(uint64_t);
#pragma omp parallel for schedule(static) reduction(^ : total)
      for (size_t i = 0; i < n; ++i) total ^= buf[i];
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sink = sink ^ total;
    if (rep > 0 && s > 0) rates.push_back(static_cast<double>(bytes) / s);
  }
  (void)sink;
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

double MeasureReadBandwidthOf(const void* data, size_t bytes, int reps) {
  return MeasureReadBandwidthOf({{data, bytes}}, reps);
}

double MeasureReadBandwidth(size_t bytes, int reps) {
  const size_t n = std::max<size_t>(bytes / sizeof(uint64_t), 1024);
  std::vector<uint64_t> buf(n);
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; ++i) buf[i] = i * 0x9E3779B97F4A7C15ull;  // first touch by the reading thread
  return MeasureReadBandwidthOf(buf.data(), n * sizeof(uint64_t), reps);
}

}  // namespace ecgr1
