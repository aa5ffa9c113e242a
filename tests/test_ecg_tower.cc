// Golden tests of the ECG path: tower block by block, projector, the scattered
// input embeddings, logits and 16 greedy tokens of the ECG-only case (config A),
// against ECG-R1's own tower code and transformers 4.57.1.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/model.h"
#include "engine/sampler.h"
#include "engine/session.h"
#include "golden.h"
#include "io/ecg_record.h"
#include "preprocess/ecg_signal.h"
#include "nn/ecg_tower.h"
#include "text/prompt.h"

namespace ecgr1::test {

TEST_CASE("ECG tower and projector match ECG-R1's tower block by block", "[golden][ecg]") {
  for (DType type : {DType::kF32, DType::kBF16}) {
    INFO("weights " << Info(type).name);
    const Model& model = GoldenModel(type);
    GoldenCase g("ecg_only");
    const EcgTower tower(model.ecg_weights(), model.config().ecg, model.config().text.hidden);
    const std::vector<float> x = g.F32("ecg_features");
    REQUIRE(x.size() == 12 * 5000);
    size_t dumps = 0;
    const std::vector<float> out = tower.Encode(x.data(), [&](const std::string& name, const float* d, size_t r, size_t c) {
      INFO(name);
      const std::vector<float> ref = g.F32(name);
      REQUIRE(ref.size() == r * c);
      CHECK(MaxAbsDiff(d, ref.data(), ref.size()) < 2e-5);
      ++dumps;
    });
    CHECK(dumps == static_cast<size_t>(model.config().ecg.layers) + 2);
    const std::vector<float> proj = tower.Project(out);
    const std::vector<float> ref = g.F32("ecg_projector_out");
    REQUIRE(proj.size() == ref.size());
    CHECK(MaxAbsDiff(proj.data(), ref.data(), ref.size()) < 2e-5);
  }
}

TEST_CASE("ECG-only prompt: embeddings, decoder, logits and greedy tokens match", "[golden][ecg]") {
  const Model& model = GoldenModel(DType::kF32);
  GoldenCase g("ecg_only");
  const TextConfig& c = model.config().text;
  const size_t d = static_cast<size_t>(c.hidden), V = static_cast<size_t>(c.vocab);
  PromptInputs in;
  in.n_ecg = 1;
  const PromptPlan plan = BuildPrompt(model.tokenizer(), CaseMessages(g.manifest()), in);
  REQUIRE(plan.ecg_starts.size() == 1);
  const EcgTower tower(model.ecg_weights(), model.config().ecg, c.hidden);
  const std::vector<float> x = g.F32("ecg_features");
  const std::vector<float> ecg = tower.Project(tower.Encode(x.data()));

  // Input embeddings with the 101 ECG rows written in.
  const size_t L = plan.ids.size();
  std::vector<float> emb(L * d);
  TextDecoder dec(model.text_weights(), c);
  dec.Embed(plan.ids.data(), L, emb.data());
  std::copy(ecg.begin(), ecg.end(), emb.begin() + plan.ecg_starts[0] * d);
  CHECK(MaxAbsDiff(emb.data(), g.F32("inputs_embeds").data(), L * d) < 2e-5);

  KvCache cache(c, L);
  std::vector<double> layer_err;
  DecoderHooks hooks;
  hooks.on_layer_out = [&](int l, const float* h, size_t n) {
    layer_err.push_back(MaxAbsDiff(h, g.F32("text_layer" + std::to_string(l) + "_out").data(), n * d));
  };
  dec.Forward(emb.data(), L, plan.positions, cache, &hooks);
  for (double e : layer_err) CHECK(e < 5e-5);
  CHECK(MaxAbsDiff(emb.data(), g.F32("final_hidden").data(), L * d) < 2e-5);
  std::vector<float> logits(V);
  dec.Logits(emb.data() + (L - 1) * d, 1, logits.data());
  CHECK(MaxAbsDiff(logits.data(), g.F32("last_logits").data(), V) < 1e-4);

  // Generation through the session with the ECG rows patched in.
  Session session(model, L + 16);
  GenerateOptions opt;
  opt.max_new_tokens = 16;
  opt.stop_ids = {-1};
  opt.patch_embeddings = [&](float* e, size_t) { std::copy(ecg.begin(), ecg.end(), e + plan.ecg_starts[0] * d); };
  const GenerateResult r = session.Generate(plan, opt);
  const std::vector<int64_t> want = g.I64("generated_ids");
  REQUIRE(r.tokens.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(r.tokens[i] == want[i]);
}

}  // namespace ecgr1::test

namespace ecgr1::test {

TEST_CASE("the golden WFDB record reads to exactly the tower input ECG-R1's loader built", "[golden][ecg]") {
  GoldenCase g("ecg_only");
  const std::vector<float> want = g.F32("ecg_features");
  for (const char* name : {"ecg_A", "ecg_A.hea", "ecg_A.dat"}) {
    INFO(name);
    const EcgRecord rec = ReadEcgRecord(GoldenDir() + "/inputs/" + name);
    EcgSignalOptions opt;
    opt.lead_order_file = true;  // the original feeds the file's order
    const EcgTowerInput in = PrepareEcg(rec, opt);
    REQUIRE(in.x.size() == want.size());
    size_t diff = 0;
    for (size_t i = 0; i < want.size(); ++i) diff += in.x[i] != want[i];
    CHECK(diff == 0);
    CHECK(in.report["resampled"] == false);
  }
}

TEST_CASE("training lead order moves aVF before aVL", "[golden][ecg]") {
  const EcgRecord rec = ReadEcgRecord(GoldenDir() + "/inputs/ecg_A");
  REQUIRE(rec.leads.size() == 12);
  CHECK(rec.leads[4] == "aVL");
  const EcgTowerInput in = PrepareEcg(rec, EcgSignalOptions{});
  const size_t n = 5000;
  for (size_t i = 0; i < n; ++i) {
    REQUIRE(in.x[4 * n + i] == static_cast<float>(rec.signal[5][i]));  // aVF
    REQUIRE(in.x[5 * n + i] == static_cast<float>(rec.signal[4][i]));  // aVL
  }
}

}  // namespace ecgr1::test
