// beat_classes.h — classifies detected beats (dominant / premature
// supraventricular / ventricular) and names the rhythm.
#pragma once

#include <cstdint>
#include <vector>

#include "io/ecg_record.h"
#include "measure/delineation.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

// One BeatInfo per beat (same order). `in_median` is set for the dominant beats
// (the ones the median beat should be built from).
std::vector<BeatInfo> ClassifyBeats(const EcgRecord& record, const std::vector<int64_t>& beats);

// The rhythm from the classified beats and the delineation built from the
// dominant beats (P waves, PR).
RhythmFindings ClassifyRhythm(const std::vector<BeatInfo>& beats, const Delineation& d, double fs);

}  // namespace ecgr1
