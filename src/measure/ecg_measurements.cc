// ecg_measurements.cc — MeasureEcg: the measurement pipeline in one place.
//
// Order: beats (multi-lead QRS detection) -> RR statistics -> delineation on
// the median beats -> per-lead facts. Each stage is its own file; this one only
// connects them and collects warnings.
#include "measure/ecg_measurements.h"

#include <cmath>

#include "base/error.h"
#include "measure/qrs_detector.h"
#include "preprocess/ecg_signal.h"

namespace ecgr1 {

EcgMeasurements MeasureEcg(const EcgRecord& record) {
  if (!(record.fs >= 50) || !std::isfinite(record.fs))
    Fail(ExitCode::kBadInput, "%s: sampling rate %g Hz is too low to measure (need >= 50 Hz)", record.source.c_str(),
         record.fs);
  EcgMeasurements m;
  m.record = record.source;
  m.format = record.format;
  m.fs = record.fs;
  m.samples = record.length();

  QrsDetectorInfo info;
  const std::vector<int64_t> peaks = DetectQrs(record, &info);
  for (int i : info.leads_used) m.beat_leads.push_back(record.leads[static_cast<size_t>(i)]);
  m.rr = SummarizeRhythm(peaks, record.fs);
  m.beats.resize(peaks.size());
  for (size_t i = 0; i < peaks.size(); ++i) {
    m.beats[i].sample = peaks[i];
    if (i > 0) m.beats[i].rr_ms = 1000.0 * static_cast<double>(peaks[i] - peaks[i - 1]) / record.fs;
  }
  if (peaks.empty()) m.warnings.push_back("no beats found (flat line or no QRS complexes)");

  m.delineation = DelineateEcg(record, peaks);
  m.leads.resize(record.leads.size());
  for (size_t i = 0; i < record.leads.size(); ++i) {
    m.leads[i].lead = record.leads[i];
    m.leads[i].canonical = CanonicalLeadName(record.leads[i]);
  }
  return m;
}

}  // namespace ecgr1
