// rhythm.h — heart rate and RR-interval statistics from detected beats.
//
// Works on any length of record (10 s 12-lead or a 30 min Holter excerpt).
// Regularity is judged from successive RR differences: the RMSSD and the
// coefficient of variation of RR; an RR series is "regular" when its CV is
// below 10 % (a common screening cut-off; atrial fibrillation typically
// exceeds 15 %).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ecgr1 {

struct RhythmSummary {
  size_t beats = 0;
  double heart_rate_bpm = 0;  // 60000 / mean RR; 0 with fewer than 2 beats
  double rr_mean_ms = 0, rr_sd_ms = 0, rr_min_ms = 0, rr_max_ms = 0;
  double rmssd_ms = 0;        // root mean square of successive RR differences
  double rr_cv = 0;           // rr_sd / rr_mean
  bool regular = false;
};

RhythmSummary SummarizeRhythm(const std::vector<int64_t>& beats, double fs);

}  // namespace ecgr1
