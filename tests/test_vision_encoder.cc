// Golden tests of the image path from pixel_values on: vision encoder stage
// by stage, mergers and DeepStack features, and whole prompts with an image
// (and with an ECG and an image) through the decoder to the greedy tokens.
#include <catch2/catch.hpp>

#include "engine/model.h"
#include "engine/session.h"
#include "golden.h"
#include "kernels/ops.h"
#include "nn/ecg_tower.h"
#include "nn/vision_encoder.h"
#include "text/prompt.h"

namespace ecgr1::test {
namespace {

std::array<int, 2> Grid(const GoldenCase& g) {
  const std::vector<int64_t> thw = g.I64("image_grid_thw");
  return {static_cast<int>(thw[1]), static_cast<int>(thw[2])};
}

}  // namespace

TEST_CASE("vision encoder matches transformers stage by stage", "[golden][vision]") {
  for (const char* name : {"image_noresize", "image_resize", "ecg_image"}) {
    for (DType type : {DType::kF32, DType::kBF16}) {
      INFO(name << " weights " << Info(type).name);
      const Model& model = GoldenModel(type);
      GoldenCase g(name);
      const auto [gh, gw] = Grid(g);
      const VisionEncoder enc(model.vision_weights(), model.config().vision);
      const std::vector<float> pv = g.F32("pixel_values");
      REQUIRE(pv.size() == static_cast<size_t>(gh * gw * 1536));
      size_t dumps = 0;
      const VisionOutput out = enc.Encode(pv.data(), gh, gw, [&](const std::string& stage, const float* d, size_t r, size_t c) {
        INFO(stage);
        const std::vector<float> ref = g.F32(stage);
        REQUIRE(ref.size() == r * c);
        CHECK(MaxAbsDiff(d, ref.data(), ref.size()) < 2e-5);
        ++dumps;
      });
      CHECK(dumps == static_cast<size_t>(model.config().vision.depth) + 1);
      const std::vector<float> merged = g.F32("vision_merged");
      REQUIRE(out.merged.size() == merged.size());
      CHECK(MaxAbsDiff(out.merged.data(), merged.data(), merged.size()) < 2e-5);
      REQUIRE(out.deepstack.size() == 3);
      for (size_t k = 0; k < 3; ++k) {
        const std::vector<float> ds = g.F32("vision_deepstack" + std::to_string(k));
        REQUIRE(out.deepstack[k].size() == ds.size());
        CHECK(MaxAbsDiff(out.deepstack[k].data(), ds.data(), ds.size()) < 2e-5);
      }
    }
  }
}

TEST_CASE("prompts with an image (and an ECG) match through the decoder to the greedy tokens", "[golden][vision]") {
  const Model& model = GoldenModel(DType::kF32);
  const TextConfig& c = model.config().text;
  const size_t d = static_cast<size_t>(c.hidden);
  for (const char* name : {"image_noresize", "image_resize", "ecg_image"}) {
    INFO(name);
    GoldenCase g(name);
    const auto [gh, gw] = Grid(g);
    PromptInputs in;
    in.n_ecg = g.manifest()["ecg_record"].is_null() ? 0 : 1;
    in.image_grids.push_back({gh / 2, gw / 2});
    const PromptPlan plan = BuildPrompt(model.tokenizer(), CaseMessages(g.manifest()), in);
    const VisionEncoder enc(model.vision_weights(), model.config().vision);
    const std::vector<float> pv = g.F32("pixel_values");
    const VisionOutput vis = enc.Encode(pv.data(), gh, gw);
    std::vector<float> ecg;
    if (in.n_ecg) {
      const EcgTower tower(model.ecg_weights(), model.config().ecg, c.hidden);
      const std::vector<float> x = g.F32("ecg_features");
      ecg = tower.Project(tower.Encode(x.data()));
    }
    const size_t L = plan.ids.size(), start = plan.image_starts.at(0), ntok = vis.merged.size() / d;
    auto patch = [&](float* e, size_t) {
      std::copy(vis.merged.begin(), vis.merged.end(), e + start * d);
      if (!ecg.empty()) std::copy(ecg.begin(), ecg.end(), e + plan.ecg_starts.at(0) * d);
    };
    DecoderHooks hooks;
    hooks.deepstack = [&](int layer, float* h, size_t n) {
      if (layer < 3 && n == L)
        for (size_t t = 0; t < ntok; ++t) kernels::Add(&vis.deepstack[layer][t * d], h + (start + t) * d, d);
    };
    // Layer by layer (outputs are captured before the DeepStack addition).
    {
      TextDecoder dec(model.text_weights(), c);
      KvCache cache(c, L);
      std::vector<float> x(L * d);
      dec.Embed(plan.ids.data(), L, x.data());
      patch(x.data(), L);
      CHECK(MaxAbsDiff(x.data(), g.F32("inputs_embeds").data(), L * d) < 2e-5);
      DecoderHooks h2 = hooks;
      std::vector<double> err;
      h2.on_layer_out = [&](int l, const float* h, size_t n) {
        err.push_back(MaxAbsDiff(h, g.F32("text_layer" + std::to_string(l) + "_out").data(), n * d));
      };
      dec.Forward(x.data(), L, plan.positions, cache, &h2);
      for (double e : err) CHECK(e < 5e-5);
      CHECK(MaxAbsDiff(x.data(), g.F32("final_hidden").data(), L * d) < 2e-5);
      const size_t V = static_cast<size_t>(c.vocab);
      std::vector<float> logits(V);
      dec.Logits(x.data() + (L - 1) * d, 1, logits.data());
      CHECK(MaxAbsDiff(logits.data(), g.F32("last_logits").data(), V) < 1e-4);
    }
    Session session(model, L + 16);
    GenerateOptions opt;
    opt.max_new_tokens = 16;
    opt.stop_ids = {-1};
    opt.patch_embeddings = patch;
    opt.hooks = &hooks;
    const GenerateResult r = session.Generate(plan, opt);
    const std::vector<int64_t> want = g.I64("generated_ids");
    REQUIRE(r.tokens.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) CHECK(r.tokens[i] == want[i]);
  }
}

}  // namespace ecgr1::test
