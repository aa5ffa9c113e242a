// beat_match.h — beat-by-beat comparison of detected beats with reference
// annotations, in the manner of AAMI EC57 / WFDB's bxb: a detection matches a
// reference beat when they are at most `window_s` (150 ms) apart; each
// reference beat and each detection is used at most once. Pairs are taken
// greedily, closest first, so a detection between two beats goes to the
// nearer one. Unmatched references are false negatives, unmatched detections
// false positives.
//
// Only the span [from, to) of sample indices is scored (e.g. the annotated
// stretch of a record that is annotated only in part); detections outside it
// are ignored, and so are references.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace ecgr1 {

struct BeatMatchResult {
  int64_t tp = 0, fn = 0, fp = 0;
  std::vector<int64_t> missed;  // reference samples without a detection
  std::vector<int64_t> extra;   // detections without a reference beat
  // Sensitivity TP/(TP+FN) and positive predictivity TP/(TP+FP); 1 when the
  // denominator is 0 (nothing to find / nothing claimed).
  double se() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fn); }
  double ppv() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp); }
  int64_t errors() const { return fn + fp; }
};

// `reference` and `detected` are sample indices at rate `fs` (any order).
BeatMatchResult MatchBeats(const std::vector<int64_t>& reference, const std::vector<int64_t>& detected, double fs,
                           double window_s = 0.150, int64_t from = 0, int64_t to = std::numeric_limits<int64_t>::max());

}  // namespace ecgr1
