// golden_run.h — a golden case run end to end and teacher-forced, for the
// accuracy comparisons of the quantized types (tests/test_quant_golden.cc and
// tools/quant_report.cc).
//
// The case's ECG (ecg_features) goes through the ECG tower and projector, its
// image (pixel_values) through the vision encoder; both are written into the
// prompt embeddings, DeepStack features are added after decoder layers 0..2,
// and the decoder runs the prompt followed by generated_ids[0..14] in one
// chunk (causal, so this equals prefill + 15 decode steps fed the reference
// tokens). Row L-1+j is then generation step j (0..15), and rows 0..L-1 are
// the prompt positions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/model.h"
#include "golden.h"
#include "kernels/ops.h"
#include "nn/ecg_tower.h"
#include "nn/kv_cache.h"
#include "nn/text_decoder.h"
#include "nn/vision_encoder.h"
#include "text/prompt.h"

namespace ecgr1::test {

inline const std::vector<std::string>& GoldenCaseNames() {
  static const std::vector<std::string> names = {"text_only", "ecg_only", "image_noresize", "image_resize",
                                                 "ecg_image"};
  return names;
}

// The final hidden states of one golden case; logits are computed from them a
// few rows at a time (all 530 rows of the five cases would be 320 MB).
struct CaseRun {
  size_t prompt = 0;  // L
  size_t gen = 0;     // generation steps covered (16)
  size_t vocab = 0, d = 0;
  std::vector<float> hidden;  // [L + gen - 1, d], after the final norm
  std::shared_ptr<const TextDecoder> decoder;
  size_t ecg_start = 0, ecg_len = 0, image_start = 0, image_len = 0;  // prompt rows of the ECG / image
  size_t rows() const { return prompt + gen - 1; }
  // logits[n, vocab] of rows first .. first+n-1.
  void Logits(size_t first, size_t n, float* logits) const { decoder->Logits(&hidden[first * d], n, logits); }
  // What row i is: "ecg", "image", "text" (prompt) or "gen <step>".
  std::string Region(size_t i) const {
    if (i >= prompt) return "gen " + std::to_string(i + 1 - prompt);
    if (i >= ecg_start && i < ecg_start + ecg_len) return "ecg";
    if (i >= image_start && i < image_start + image_len) return "image";
    return i == prompt - 1 ? "text (gen 0)" : "text";
  }
};

// Runs golden case `name` with `model` (which must outlive the result),
// teacher-forced, to the final hidden state of every prompt position and
// generation step.
inline CaseRun RunGoldenCase(const Model& model, const std::string& name) {
  GoldenCase g(name);
  const nlohmann::json& m = g.manifest();
  const TextConfig& c = model.config().text;
  const size_t d = static_cast<size_t>(c.hidden);
  PromptInputs in;
  in.n_ecg = m["ecg_record"].is_null() ? 0 : 1;
  int gh = 0, gw = 0;
  if (!m["image_grid_thw"].is_null()) {
    gh = m["image_grid_thw"][1].get<int>();
    gw = m["image_grid_thw"][2].get<int>();
    in.image_grids.push_back({gh / 2, gw / 2});
  }
  const PromptPlan plan = BuildPrompt(model.tokenizer(), CaseMessages(m), in);
  const size_t L = plan.ids.size();

  std::vector<float> ecg;
  if (in.n_ecg) {
    const EcgTower tower(model.ecg_weights(), model.config().ecg, c.hidden);
    const std::vector<float> x = g.F32("ecg_features");
    ecg = tower.Project(tower.Encode(x.data()));
  }
  VisionOutput vis;
  if (gh > 0) {
    const VisionEncoder enc(model.vision_weights(), model.config().vision);
    const std::vector<float> pv = g.F32("pixel_values");
    vis = enc.Encode(pv.data(), gh, gw);
  }

  const std::vector<int64_t> gen_ids = g.I64("generated_ids"), gen_pos = g.I64("gen_position_ids");
  const size_t G = gen_ids.size(), n = L + G - 1;
  std::vector<int32_t> ids(plan.ids.begin(), plan.ids.end());
  Positions pos = plan.positions;
  for (size_t j = 0; j + 1 < G; ++j) {
    ids.push_back(static_cast<int32_t>(gen_ids[j]));
    pos.Push(gen_pos[j], gen_pos[j], gen_pos[j]);
  }

  auto dec = std::make_shared<TextDecoder>(model.text_weights(), c);
  KvCache cache(c, n);
  std::vector<float> x(n * d);
  dec->Embed(ids.data(), n, x.data());
  if (!ecg.empty()) std::copy(ecg.begin(), ecg.end(), x.begin() + plan.ecg_starts.at(0) * d);
  size_t img_start = 0, img_tok = 0;
  if (gh > 0) {
    img_start = plan.image_starts.at(0);
    img_tok = vis.merged.size() / d;
    std::copy(vis.merged.begin(), vis.merged.end(), x.begin() + img_start * d);
  }
  DecoderHooks hooks;
  hooks.deepstack = [&](int layer, float* h, size_t) {
    if (img_tok > 0 && layer < static_cast<int>(vis.deepstack.size()))
      for (size_t t = 0; t < img_tok; ++t) kernels::Add(&vis.deepstack[layer][t * d], h + (img_start + t) * d, d);
  };
  dec->Forward(x.data(), n, pos, cache, &hooks);

  CaseRun out;
  out.prompt = L;
  out.gen = G;
  out.vocab = static_cast<size_t>(c.vocab);
  out.d = d;
  out.hidden = std::move(x);
  out.decoder = std::move(dec);
  if (!ecg.empty()) out.ecg_start = plan.ecg_starts[0], out.ecg_len = ecg.size() / d;
  out.image_start = img_start, out.image_len = img_tok;
  return out;
}

// The reference's top-10 ids / values (transformers, f32) of row i of a
// CaseRun: prompt rows from logits_top10_*, generation rows from
// gen_logits_top10_* (row L-1 is in both; the prompt copy is used).
struct ReferenceTop10 {
  size_t prompt = 0;
  std::vector<int64_t> ids, gen_ids;
  std::vector<float> values, gen_values;
  explicit ReferenceTop10(const GoldenCase& g)
      : ids(g.I64("logits_top10_ids")), gen_ids(g.I64("gen_logits_top10_ids")),
        values(g.F32("logits_top10_values")), gen_values(g.F32("gen_logits_top10_values")) {
    prompt = ids.size() / 10;
  }
  int64_t Top1(size_t row) const { return row < prompt ? ids[row * 10] : gen_ids[(row - prompt + 1) * 10]; }
  // Reference top-1 minus top-2 logit.
  double Margin(size_t row) const {
    const float* v = row < prompt ? &values[row * 10] : &gen_values[(row - prompt + 1) * 10];
    return static_cast<double>(v[0]) - v[1];
  }
};

// Per-row comparison of two full-vocabulary logit vectors f (the baseline)
// and q.
struct LogitCompare {
  double rel_err = 0;  // ||q - f|| / ||f||
  double kl = 0;       // KL(softmax(f) || softmax(q)), nats
  int32_t top1_f = 0, top1_q = 0;  // first index of the largest logit
  bool same_top1 = false;
};

inline LogitCompare CompareLogits(const float* f, const float* q, size_t V) {
  float fm = f[0], qm = q[0];
  size_t fa = 0, qa = 0;
  for (size_t v = 1; v < V; ++v) {
    if (f[v] > fm) fm = f[v], fa = v;
    if (q[v] > qm) qm = q[v], qa = v;
  }
  // KL = sum_v p_v (lp_v - lq_v) with lp = f - lse_f, lq = q - lse_q
  //    = sum_v e^(f_v - fm) (f_v - q_v) / fs - lse_f + lse_q.
  double fs = 0, qs = 0, cross = 0, diff2 = 0, norm2 = 0;
  for (size_t v = 0; v < V; ++v) {
    const double ef = std::exp(static_cast<double>(f[v]) - fm), d = static_cast<double>(f[v]) - q[v];
    fs += ef;
    qs += std::exp(static_cast<double>(q[v]) - qm);
    cross += ef * d;
    diff2 += d * d;
    norm2 += static_cast<double>(f[v]) * f[v];
  }
  const double flse = fm + std::log(fs), qlse = qm + std::log(qs);
  LogitCompare r;
  r.rel_err = std::sqrt(diff2 / norm2);
  r.kl = std::max(0.0, cross / fs - flse + qlse);
  r.top1_f = static_cast<int32_t>(fa);
  r.top1_q = static_cast<int32_t>(qa);
  r.same_top1 = fa == qa;
  return r;
}

// The margin rule: the reference top-1 must be kept at positions
// whose reference top-1/top-2 logit margin exceeds this.
constexpr double kMarginRule = 0.05;

// Accuracy of a file over logit rows, against our f32 file (c) and the
// reference (ref): counts, sums and maxima; one place for the test and the tool.
struct AccuracyTally {
  size_t rows = 0, agree_f32 = 0, agree_ref = 0, margin_rows = 0, agree_ref_margin = 0;
  double sum_rel = 0, max_rel = 0, sum_kl = 0, max_kl = 0;

  // Counts row i; returns whether its top-1 is the reference's.
  bool Add(size_t i, const LogitCompare& c, const ReferenceTop10& ref) {
    ++rows;
    sum_rel += c.rel_err, max_rel = std::max(max_rel, c.rel_err);
    sum_kl += c.kl, max_kl = std::max(max_kl, c.kl);
    agree_f32 += c.same_top1;
    const bool same_ref = c.top1_q == ref.Top1(i);
    agree_ref += same_ref;
    if (ref.Margin(i) > kMarginRule) ++margin_rows, agree_ref_margin += same_ref;
    return same_ref;
  }
  void Merge(const AccuracyTally& o) {
    rows += o.rows, agree_f32 += o.agree_f32, agree_ref += o.agree_ref;
    margin_rows += o.margin_rows, agree_ref_margin += o.agree_ref_margin;
    sum_rel += o.sum_rel, sum_kl += o.sum_kl;
    max_rel = std::max(max_rel, o.max_rel), max_kl = std::max(max_kl, o.max_kl);
  }
  double mean_rel() const { return sum_rel / rows; }
  double mean_kl() const { return sum_kl / rows; }
  double agree_f32_rate() const { return static_cast<double>(agree_f32) / rows; }
  double agree_ref_rate() const { return static_cast<double>(agree_ref) / rows; }
  double agree_ref_margin_rate() const { return static_cast<double>(agree_ref_margin) / margin_rows; }
};

// Calls fn(row, logits_f, logits_q, compare) for every row of two runs of the
// same case, in order; the logits are computed 16 rows at a time and compared
// on all threads (fn itself runs on the calling thread).
template <typename Fn>
void ForEachLogitRow(const CaseRun& f, const CaseRun& q, Fn&& fn) {
  constexpr size_t kChunk = 16;
  std::vector<float> lf(kChunk * f.vocab), lq(kChunk * q.vocab);
  LogitCompare c[kChunk];
  for (size_t first = 0; first < f.rows(); first += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, f.rows() - first));
    f.Logits(first, n, lf.data());
    q.Logits(first, n, lq.data());
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; ++i) c[i] = CompareLogits(&lf[i * f.vocab], &lq[i * q.vocab], f.vocab);
    for (int i = 0; i < n; ++i) fn(first + i, &lf[i * f.vocab], &lq[i * q.vocab], c[i]);
  }
}

// Calls fn(row, logits) for every row of one run.
template <typename Fn>
void ForEachLogitRow(const CaseRun& f, Fn&& fn) {
  constexpr size_t kChunk = 16;
  std::vector<float> lf(kChunk * f.vocab);
  for (size_t first = 0; first < f.rows(); first += kChunk) {
    const size_t n = std::min(kChunk, f.rows() - first);
    f.Logits(first, n, lf.data());
    for (size_t i = 0; i < n; ++i) fn(first + i, &lf[i * f.vocab]);
  }
}

}  // namespace ecgr1::test
