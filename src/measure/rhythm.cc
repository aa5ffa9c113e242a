#include "measure/rhythm.h"

#include <algorithm>
#include <cmath>

namespace ecgr1 {

RhythmSummary SummarizeRhythm(const std::vector<int64_t>& beats, double fs) {
  RhythmSummary s;
  s.beats = beats.size();
  if (beats.size() < 2 || fs <= 0) return s;
  std::vector<double> rr;
  for (size_t i = 1; i < beats.size(); ++i) rr.push_back(1000.0 * static_cast<double>(beats[i] - beats[i - 1]) / fs);
  double sum = 0;
  for (double v : rr) sum += v;
  s.rr_mean_ms = sum / static_cast<double>(rr.size());
  double var = 0;
  for (double v : rr) var += (v - s.rr_mean_ms) * (v - s.rr_mean_ms);
  s.rr_sd_ms = std::sqrt(var / static_cast<double>(rr.size()));
  s.rr_min_ms = *std::min_element(rr.begin(), rr.end());
  s.rr_max_ms = *std::max_element(rr.begin(), rr.end());
  double ss = 0;
  for (size_t i = 1; i < rr.size(); ++i) ss += (rr[i] - rr[i - 1]) * (rr[i] - rr[i - 1]);
  s.rmssd_ms = rr.size() > 1 ? std::sqrt(ss / static_cast<double>(rr.size() - 1)) : 0;
  s.heart_rate_bpm = s.rr_mean_ms > 0 ? 60000.0 / s.rr_mean_ms : 0;
  s.rr_cv = s.rr_mean_ms > 0 ? s.rr_sd_ms / s.rr_mean_ms : 0;
  s.regular = s.rr_cv < 0.10;
  return s;
}

}  // namespace ecgr1
