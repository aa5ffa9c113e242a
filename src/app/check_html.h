// check_html.h — `check --html`: the evidence report as one self-contained
// page for a clinician (no script, no network, prints on one page):
//   - the record as the 12-lead printout (inline SVG, render/ecg_paper.h) with
//     the measured fiducials of every dominant beat (P onset, QRS onset and
//     offset, T end) and the median beats of each lead with the same marks;
//   - the model's text with every claim marked supported / contradicted /
//     unverifiable; focusing or hovering a mark shows the claimed and measured
//     values, the tolerance, the leads, the measurement and the rule that
//     decided (keyboard: Tab from mark to mark);
//   - the claims table, the measurements, the rewards and the warnings.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "io/ecg_record.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

// `report`: check --json's object; `text`: the model text its claim offsets
// refer to; `rec` and `m` may be null (no record given).
std::string CheckReportHtml(const nlohmann::json& report, const std::string& text, const EcgRecord* rec,
                            const EcgMeasurements* m);

}  // namespace ecgr1
