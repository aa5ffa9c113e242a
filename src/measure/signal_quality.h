// signal_quality.h — per-lead signal quality of a record: flat line,
// saturation (clipping), high-frequency noise, baseline wander, and which beats
// are too noisy in a lead to enter its median beat.
#pragma once

#include <cstdint>
#include <vector>

#include "io/ecg_record.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

// One LeadQuality per lead of `record` (record order). `beats`: R-peak sample
// indices (any may be judged too noisy in a lead and listed in excluded_beats).
std::vector<LeadQuality> AssessSignalQuality(const EcgRecord& record, const std::vector<int64_t>& beats);

}  // namespace ecgr1
