// rhythm_episodes.h — the rhythm over time in a long recording (Holter-style):
// the record is cut into consecutive 10 s windows, each window is delineated
// and named on its own (ClassifyRhythm, the same rules as for a 10 s resting
// ECG), and neighbouring windows with the same name are merged into episodes.
// Atrial-fibrillation burden = the share of the analysed time named AF.
#pragma once

#include <string>
#include <vector>

#include "io/ecg_record.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

// Records shorter than this get no episodes (their one rhythm label says it all).
constexpr double kEpisodeMinRecordS = 30.0;
constexpr double kEpisodeWindowS = 10.0;

// `beats`: ClassifyBeats over the whole record. Windows with fewer than 4
// beats are named "" (no rhythm: asystole, noise or a lead off). Episodes
// cover the record from 0 to its end without gaps, in time order.
std::vector<RhythmEpisode> RhythmEpisodes(const EcgRecord& record, const std::vector<BeatInfo>& beats);

// Share (0..1) of the time in episodes with a label that is named "atrial
// fibrillation", over the time in episodes with any label; NaN without episodes.
double AtrialFibrillationBurden(const std::vector<RhythmEpisode>& episodes);

}  // namespace ecgr1
