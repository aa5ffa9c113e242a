// measurements_json.h — the JSON form of EcgMeasurements (`ecgr1 measure
// --json`, and the measured values `ecgr1 check --json` reports). Every number
// carries its unit in its key (_ms, _mv, _bpm, _deg, _hz, _s); NaN is null.
#pragma once

#include <nlohmann/json.hpp>

#include "measure/ecg_measurements.h"

namespace ecgr1 {

// `median_beats`: also write each lead's median beat (mV, one value per sample).
nlohmann::json MeasurementsToJson(const EcgMeasurements& m, bool median_beats = false);

// A number or null when NaN/inf.
nlohmann::json NumberOrNull(double v);

}  // namespace ecgr1
