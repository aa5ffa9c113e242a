// ecg_measurements.cc — MeasureEcg: the measurement pipeline in one place.
//
// Order: beats (multi-lead QRS detection) -> beat classes -> per-lead signal
// quality -> delineation on the median of the dominant beats (each lead
// without the beats its quality check excluded) -> per-lead amplitudes ->
// axes and criteria -> amplitude plausibility -> rhythm (and, in records of a
// 30 s or more, rhythm episodes per 10 s window). Each stage is its own
// file; this one only connects them and collects warnings.
#include "measure/ecg_measurements.h"

#include <cmath>

#include "base/error.h"
#include "measure/amplitudes.h"
#include "measure/beat_classes.h"
#include "measure/criteria.h"
#include "measure/qrs_detector.h"
#include "measure/rhythm_episodes.h"
#include "measure/signal_quality.h"
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
  m.beats = ClassifyBeats(record, peaks);

  const std::vector<LeadQuality> quality = AssessSignalQuality(record, peaks);
  m.leads.resize(record.leads.size());
  std::vector<std::vector<int64_t>> excluded(record.leads.size());
  size_t flat = 0;
  for (size_t i = 0; i < record.leads.size(); ++i) {
    m.leads[i].lead = record.leads[i];
    m.leads[i].canonical = CanonicalLeadName(record.leads[i]);
    if (i < quality.size()) m.leads[i].quality = quality[i];
    excluded[i] = m.leads[i].quality.excluded_beats;
    flat += m.leads[i].quality.flat ? 1 : 0;
  }

  // The median beats are built from the dominant beats, placed where their
  // QRS best matches the template (all beats when too few are dominant).
  std::vector<int64_t> dominant;
  for (const BeatInfo& b : m.beats)
    if (b.in_median) dominant.push_back(b.aligned_sample);
  if (dominant.size() < 2) dominant = peaks;
  m.delineation = DelineateEcg(record, dominant, &excluded, &peaks);

  for (size_t i = 0; i < m.leads.size() && i < m.delineation.leads.size(); ++i)
    if (m.leads[i].quality.usable) m.leads[i].amplitudes = MeasureAmplitudes(m.delineation.leads[i], m.delineation);
  m.axes = ComputeAxes(m.leads, m.delineation);
  m.criteria = ComputeCriteria(m.leads, m.delineation, m.axes);
  std::string why;
  m.amplitudes_plausible = AmplitudesPlausible(m.leads, &why);
  m.rhythm = ClassifyRhythm(m.beats, m.delineation, record.fs);
  m.rhythm_episodes = RhythmEpisodes(record, m.beats);
  m.af_burden = AtrialFibrillationBurden(m.rhythm_episodes);

  if (!record.leads.empty() && flat == record.leads.size())
    m.warnings.push_back("every lead is flat: no signal (or units far off, e.g. volts read as millivolts)");
  if (peaks.empty()) m.warnings.push_back("no beats found (flat line or no QRS complexes)");
  if (!m.amplitudes_plausible)
    m.warnings.push_back(why + "; voltage claims are not judged");
  for (const LeadMeasurements& l : m.leads)
    if (!l.quality.usable && !l.quality.problem.empty() && !l.quality.flat)
      m.warnings.push_back("lead " + l.lead + " not used: " + l.quality.problem);
  return m;
}

}  // namespace ecgr1
