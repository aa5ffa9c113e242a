#include "engine/draft_replay.h"

#include <algorithm>

#include "engine/drafter.h"

namespace ecgr1 {
namespace {

// One output against `store`, counted into r.
void ReplayOne(const std::vector<int32_t>& out, const std::vector<int32_t>& prompt, const TokenStore& store,
               size_t max_k, ReplayResult& r) {
  if (out.empty()) return;
  Drafter d(&store, max_k);
  for (int32_t id : prompt) d.Observe(id);
  d.Observe(out[0]);  // from the prefill
  size_t done = 1;
  while (done < out.size()) {
    const std::vector<int32_t>& draft = d.Propose();
    const size_t k = std::min(draft.size(), out.size() - done - 1);
    size_t a = 0;
    while (a < k && draft[a] == out[done + a]) ++a;
    for (size_t i = 0; i <= a; ++i) d.Observe(out[done + i]);  // the accepted tokens and the model's own next
    d.Feedback(k, a);
    done += a + 1;
    ++r.steps;
    r.drafted += k;
    r.accepted += a;
    if (r.steps_by_width.size() <= k + 1) r.steps_by_width.resize(k + 2, 0);
    ++r.steps_by_width[k + 1];
  }
  r.tokens += out.size() - 1;
  ++r.outputs;
}

}  // namespace

ReplayResult ReplayDrafts(const std::vector<std::vector<int32_t>>& outputs, const std::vector<int32_t>& prompt,
                          size_t max_k, bool leave_one_out) {
  ReplayResult r;
  TokenStore earlier;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (leave_one_out) {
      TokenStore others;
      for (size_t j = 0; j < outputs.size(); ++j)
        if (j != i) others.AddDocument(outputs[j]);
      ReplayOne(outputs[i], prompt, others, max_k, r);
    } else {
      ReplayOne(outputs[i], prompt, earlier, max_k, r);
      earlier.AddDocument(outputs[i]);
    }
  }
  return r;
}

}  // namespace ecgr1
