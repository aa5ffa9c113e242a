// amplitudes.h — wave amplitudes and ST deviation of one lead's median beat,
// measured from the delineation's fiducials (see LeadAmplitudes).
#pragma once

#include "measure/delineation.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

// `lead` is one of `d.leads`; the global fiducials of `d` (QRS onset/offset,
// P, T) are used where the lead's own are missing. All NaN for an unusable lead.
LeadAmplitudes MeasureAmplitudes(const LeadDelineation& lead, const Delineation& d);

}  // namespace ecgr1
