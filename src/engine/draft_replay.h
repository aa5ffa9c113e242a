// draft_replay.h — how well the drafter would do on real outputs, without a
// model: each output is decoded as if the model produced exactly its tokens
// (greedy), drafts are proposed as Session::Generate proposes them, and a
// draft counts as accepted as far as it agrees with the output. The store
// holds either the outputs before it (file order: what a batch sees) or all
// the others (leave-one-out: a store built from earlier runs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ecgr1 {

struct ReplayResult {
  size_t outputs = 0, tokens = 0;  // decode tokens (each output's first token comes from the prefill)
  size_t steps = 0, drafted = 0, accepted = 0;
  std::vector<size_t> steps_by_width;  // [w]: decode passes over w rows (1 = no draft)
  double tokens_per_step() const { return steps ? static_cast<double>(steps + accepted) / static_cast<double>(steps) : 0.0; }
};

ReplayResult ReplayDrafts(const std::vector<std::vector<int32_t>>& outputs, const std::vector<int32_t>& prompt,
                          size_t max_k, bool leave_one_out);

}  // namespace ecgr1
