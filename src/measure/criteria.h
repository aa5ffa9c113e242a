// criteria.h — what the protocol of ECG-R1 derives from the amplitudes and
// intervals: frontal axes, voltage criteria (Sokolow-Lyon, Cornell, R in aVL,
// low voltage), R-wave progression, pathological Q waves, bundle-branch and
// fascicular blocks, first-degree AV block, and the amplitude plausibility gate.
#pragma once

#include <string>
#include <vector>

#include "measure/delineation.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

// Leads are found by LeadMeasurements::canonical; `d.leads` is in the same order as `leads`.
FrontalAxes ComputeAxes(const std::vector<LeadMeasurements>& leads, const Delineation& d);

EcgCriteria ComputeCriteria(const std::vector<LeadMeasurements>& leads, const Delineation& d, const FrontalAxes& axes);

// False when the amplitudes cannot be physiological in mV (a gain or unit
// error: e.g. a QRS of several times the largest human voltage, or every lead
// below 0.05 mV while beats were detected); `why` gets one line for a warning.
bool AmplitudesPlausible(const std::vector<LeadMeasurements>& leads, std::string* why);

}  // namespace ecgr1
