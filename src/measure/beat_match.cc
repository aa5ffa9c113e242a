// beat_match.cc — greedy closest-first one-to-one beat matching (see header).
#include "measure/beat_match.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace ecgr1 {

BeatMatchResult MatchBeats(const std::vector<int64_t>& reference, const std::vector<int64_t>& detected, double fs,
                           double window_s, int64_t from, int64_t to) {
  std::vector<int64_t> ref, det;
  for (int64_t r : reference)
    if (r >= from && r < to) ref.push_back(r);
  for (int64_t d : detected)
    if (d >= from && d < to) det.push_back(d);
  std::sort(ref.begin(), ref.end());
  std::sort(det.begin(), det.end());
  const int64_t tol = static_cast<int64_t>(std::floor(window_s * fs + 1e-9));

  // All candidate pairs within the window (each beat has only a few), closest first.
  std::vector<std::tuple<int64_t, size_t, size_t>> pairs;  // (distance, ref index, det index)
  size_t lo = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    while (lo < det.size() && det[lo] < ref[i] - tol) ++lo;
    for (size_t j = lo; j < det.size() && det[j] <= ref[i] + tol; ++j)
      pairs.emplace_back(std::llabs(det[j] - ref[i]), i, j);
  }
  std::sort(pairs.begin(), pairs.end());
  std::vector<char> ref_used(ref.size(), 0), det_used(det.size(), 0);
  BeatMatchResult out;
  for (const auto& [dist, i, j] : pairs) {
    (void)dist;
    if (ref_used[i] || det_used[j]) continue;
    ref_used[i] = det_used[j] = 1;
    ++out.tp;
  }
  for (size_t i = 0; i < ref.size(); ++i)
    if (!ref_used[i]) out.missed.push_back(ref[i]);
  for (size_t j = 0; j < det.size(); ++j)
    if (!det_used[j]) out.extra.push_back(det[j]);
  out.fn = static_cast<int64_t>(out.missed.size());
  out.fp = static_cast<int64_t>(out.extra.size());
  return out;
}

}  // namespace ecgr1
