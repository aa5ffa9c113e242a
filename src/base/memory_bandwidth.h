// memory_bandwidth.h — the machine's sustained memory read bandwidth, measured:
// the physical ceiling of decode, which reads every weight once per token.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace ecgr1 {

// Bytes per second read by all OpenMP threads from a buffer of `bytes` (far
// larger than the caches): the median of `reps` passes after one warm-up pass
// (on a shared VM single passes vary: 29-46 GB/s seen on one machine).
double MeasureReadBandwidth(size_t bytes = size_t{1} << 30, int reps = 7);

// The same over memory that already exists, e.g. a model's mapped weights:
// the bandwidth of exactly the pages decode streams (page size and backing
// matter: on one VM 4 KiB pages read at 26-40 GB/s, 2 MiB pages at 62 GB/s).
double MeasureReadBandwidthOf(const void* data, size_t bytes, int reps = 5);
// Over several ranges read one after another in each pass (e.g. the tensors
// a decode step streams).
double MeasureReadBandwidthOf(const std::vector<std::pair<const void*, size_t>>& ranges, int reps = 5);

}  // namespace ecgr1
