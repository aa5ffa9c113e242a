// memory_bandwidth.h — the machine's sustained memory read bandwidth, measured:
// the physical ceiling of decode, which reads every weight once per token.
#pragma once

#include <cstddef>

namespace ecgr1 {

// Bytes per second read by all OpenMP threads from a buffer of `bytes` (far
// larger than the caches): the median of `reps` passes after one warm-up pass
// (on a shared VM single passes vary: 29-46 GB/s seen on one machine).
double MeasureReadBandwidth(size_t bytes = size_t{1} << 30, int reps = 7);

}  // namespace ecgr1
