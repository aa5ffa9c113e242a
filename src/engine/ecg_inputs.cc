#include "engine/ecg_inputs.h"

#include <algorithm>

#include "base/error.h"
#include "nn/ecg_tower.h"

namespace ecgr1 {

std::vector<std::vector<float>> EncodeEcgs(const Model& model, const std::vector<EcgTowerInput>& ecgs) {
  const ModelConfig& c = model.config();
  if (!ecgs.empty() && !c.has_ecg) Fail(ExitCode::kUsage, "%s has no ECG tower", model.path().c_str());
  std::vector<std::vector<float>> out;
  if (ecgs.empty()) return out;
  const EcgTower tower(model.ecg_weights(), c.ecg, c.text.hidden);
  for (const EcgTowerInput& e : ecgs) {
    if (e.x.size() != static_cast<size_t>(c.ecg.leads * c.ecg.seq_length))
      Fail(ExitCode::kInternal, "ECG input has %zu values, the tower takes %lld", e.x.size(),
           static_cast<long long>(c.ecg.leads * c.ecg.seq_length));
    out.push_back(tower.Project(tower.Encode(e.x.data())));
  }
  return out;
}

void ScatterEcgRows(const PromptPlan& plan, const std::vector<std::vector<float>>& rows, size_t hidden,
                    float* embeds) {
  if (rows.size() != plan.ecg_starts.size())
    Fail(ExitCode::kInternal, "%zu ECG embeddings for %zu <ecg> placeholders", rows.size(), plan.ecg_starts.size());
  for (size_t k = 0; k < rows.size(); ++k) std::copy(rows[k].begin(), rows[k].end(), embeds + plan.ecg_starts[k] * hidden);
}

}  // namespace ecgr1
