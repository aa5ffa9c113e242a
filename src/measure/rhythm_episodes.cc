// rhythm_episodes.cc — rhythm per 10 s window, merged into episodes (see rhythm_episodes.h).
#include "measure/rhythm_episodes.h"

#include <algorithm>
#include <cmath>

#include "measure/beat_classes.h"
#include "measure/delineation.h"

namespace ecgr1 {

std::vector<RhythmEpisode> RhythmEpisodes(const EcgRecord& record, const std::vector<BeatInfo>& beats) {
  std::vector<RhythmEpisode> out;
  const double fs = record.fs;
  const size_t n = record.length();
  if (!(fs >= 50) || static_cast<double>(n) / fs < kEpisodeMinRecordS) return out;
  const size_t win = static_cast<size_t>(kEpisodeWindowS * fs);
  size_t next = 0;  // first beat not yet assigned to a window
  for (size_t a = 0; a < n; a += win) {
    // The last window takes a short tail (< half a window) with it.
    size_t b = std::min(n, a + win);
    if (n - b < win / 2) b = n;
    EcgRecord w;
    w.fs = fs;
    w.leads = record.leads;
    w.units = record.units;
    w.signal.resize(record.signal.size());
    for (size_t l = 0; l < record.signal.size(); ++l)
      w.signal[l].assign(record.signal[l].begin() + static_cast<long>(a), record.signal[l].begin() + static_cast<long>(b));
    std::vector<BeatInfo> in;
    while (next < beats.size() && beats[next].sample < static_cast<int64_t>(b)) {
      if (beats[next].sample >= static_cast<int64_t>(a)) {
        BeatInfo bi = beats[next];
        bi.sample -= static_cast<int64_t>(a);
        bi.aligned_sample -= static_cast<int64_t>(a);
        if (in.empty()) bi.rr_ms = kNotMeasured;  // its predecessor lies in the previous window
        in.push_back(bi);
      }
      ++next;
    }
    if (!in.empty()) in.back().rr_next_ms = kNotMeasured;
    std::vector<int64_t> dominant;
    for (const BeatInfo& bi : in)
      if (bi.in_median && bi.aligned_sample >= 0 && bi.aligned_sample < static_cast<int64_t>(b - a))
        dominant.push_back(bi.aligned_sample);
    RhythmFindings r;
    if (dominant.size() >= 2) r = ClassifyRhythm(in, DelineateEcg(w, dominant), fs);
    RhythmEpisode e;
    e.start_s = static_cast<double>(a) / fs;
    e.end_s = static_cast<double>(b) / fs;
    e.label = r.label;
    e.beats = static_cast<int>(in.size());
    e.heart_rate_bpm = r.heart_rate_bpm;
    if (!out.empty() && out.back().label == e.label) {
      RhythmEpisode& p = out.back();
      if (std::isfinite(e.heart_rate_bpm) && std::isfinite(p.heart_rate_bpm) && p.beats + e.beats > 0)
        p.heart_rate_bpm = (p.heart_rate_bpm * p.beats + e.heart_rate_bpm * e.beats) / (p.beats + e.beats);
      else if (!std::isfinite(p.heart_rate_bpm))
        p.heart_rate_bpm = e.heart_rate_bpm;
      p.end_s = e.end_s;
      p.beats += e.beats;
    } else {
      out.push_back(e);
    }
    if (b == n) break;
  }
  return out;
}

double AtrialFibrillationBurden(const std::vector<RhythmEpisode>& episodes) {
  double af = 0, named = 0;
  for (const RhythmEpisode& e : episodes) {
    if (e.label.empty()) continue;
    named += e.end_s - e.start_s;
    if (e.label == "atrial fibrillation") af += e.end_s - e.start_s;
  }
  return named > 0 ? af / named : kNotMeasured;
}

}  // namespace ecgr1
