// Speculative and batched decoding: the n-gram token store and drafter
// (engine/drafter.h), multi-row decode steps (TextDecoder::Steps), greedy
// generation with drafts, which must be token-identical to generation without
// them on the golden model in every weight type, over long runs, with drafts
// that are mostly right and drafts that are mostly wrong, and continuous
// batching (engine/batch_decoder.h), token-identical to requests run alone.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

#include "engine/batch_decoder.h"
#include "engine/drafter.h"
#include "engine/model.h"
#include "engine/session.h"
#include "golden.h"
#include "require_error.h"
#include "test_util.h"
#include "text/prompt.h"

namespace ecgr1::test {

TEST_CASE("token store drafts what followed the longest suffix, latest occurrence first", "[draft]") {
  TokenStore s;
  s.AddDocument({1, 2, 3, 4, 5});
  s.AddDocument({9, 2, 3, 7, 8});
  std::vector<int32_t> draft;
  // "2 3" occurs twice: the latest occurrence (document 2) wins.
  CHECK(s.Match({5, 2, 3}, 4, &draft) == 2);
  CHECK(draft == std::vector<int32_t>{7, 8});  // stops at the end of its document
  // "1 2 3" is longer and occurs only in document 1.
  CHECK(s.Match({1, 2, 3}, 2, &draft) == 3);
  CHECK(draft == std::vector<int32_t>{4, 5});
  // The last token of a document is followed by nothing.
  CHECK(s.Match({8}, 4, &draft) == 0);
  CHECK(draft.empty());
  CHECK(s.Match({42}, 4, &draft) == 0);
  CHECK(s.Match({}, 4, &draft) == 0);
  // Only kMaxNgram tokens of context count.
  CHECK(s.Match({0, 0, 0, 0, 0, 1, 2, 3}, 1, &draft) == 3);
  CHECK(draft == std::vector<int32_t>{4});
}

TEST_CASE("drafter uses the request's own text and never matches its own last n-gram", "[draft]") {
  Drafter d(nullptr, 3);
  for (int32_t id : {5, 6, 7, 8, 5, 6}) d.Observe(id);
  CHECK(d.Propose() == std::vector<int32_t>{7, 8, 5});
  d.Feedback(3, 0);  // rejected: drafts shrink to 2
  CHECK(d.Propose().size() == 2);
  Drafter fresh(nullptr, 4);
  fresh.Observe(1);
  CHECK(fresh.Propose().empty());
  // A shared store's longer match wins over the request's own shorter one.
  TokenStore shared;
  shared.AddDocument({3, 1, 2, 9, 9});
  Drafter both(&shared, 2);
  for (int32_t id : {1, 2, 4, 3, 1, 2}) both.Observe(id);
  CHECK(both.Propose() == std::vector<int32_t>{9, 9});
}

TEST_CASE("token store saves and reloads, and refuses damaged files", "[draft]") {
  TempDir dir;
  TokenStore s;
  s.AddDocument({1, 2, 3});
  s.AddDocument({4, 5});
  s.Save(dir.File("store"));
  const TokenStore r = TokenStore::Load(dir.File("store"), 100);
  CHECK(r.tokens() == s.tokens());
  CHECK(r.documents() == 2);
  std::vector<int32_t> draft;
  CHECK(r.Match({1, 2}, 5, &draft) == 2);
  CHECK(draft == std::vector<int32_t>{3});
  RequireError([&] { TokenStore::Load(dir.File("store"), 4); }, ExitCode::kBadInput, {"store", "vocabulary"});
  const std::string bytes = ReadAll(dir.File("store"));
  auto write = [&](const std::string& b) {
    std::ofstream(dir.File("bad"), std::ios::binary) << b;
  };
  write(bytes.substr(0, bytes.size() - 2));
  RequireError([&] { TokenStore::Load(dir.File("bad"), 100); }, ExitCode::kBadInput, {"bad", "tokens"});
  write("XXXXXXXX" + bytes.substr(8));
  RequireError([&] { TokenStore::Load(dir.File("bad"), 100); }, ExitCode::kBadInput, {"bad", "magic"});
  std::string huge = bytes;
  const uint64_t count = ~uint64_t{0} / 2;
  std::memcpy(&huge[8], &count, sizeof count);
  write(huge);
  RequireError([&] { TokenStore::Load(dir.File("bad"), 100); }, ExitCode::kBadInput, {"bad", "tokens"});
}

TEST_CASE("a multi-row decode step gives every row the bits of one-token steps", "[draft][golden]") {
  for (DType type : {DType::kF32, DType::kBF16, DType::kQ8, DType::kQ4}) {
    INFO("weights " << Info(type).name);
    const Model& model = GoldenModel(type);
    const TextConfig& c = model.config().text;
    const size_t d = static_cast<size_t>(c.hidden);
    const std::vector<int32_t> prompt = {151644, 872, 198, 9707, 11, 1879, 0, 151645}, steps = {40, 41, 42, 43, 44};
    TextDecoder dec(model.text_weights(), c);
    auto prefill = [&](KvCache& cache) {
      std::vector<float> x(prompt.size() * d);
      Positions pos;
      for (size_t i = 0; i < prompt.size(); ++i) pos.Push(static_cast<int64_t>(i), static_cast<int64_t>(i), static_cast<int64_t>(i));
      dec.Embed(prompt.data(), prompt.size(), x.data());
      dec.Forward(x.data(), prompt.size(), pos, cache);
    };
    KvCache one(c, 64), many(c, 64), other(c, 64);
    prefill(one);
    prefill(many);
    std::vector<float> want(steps.size() * d), got(2 * steps.size() * d);
    for (size_t j = 0; j < steps.size(); ++j) {
      Positions pos;
      const int64_t p = static_cast<int64_t>(prompt.size() + j);
      pos.Push(p, p, p);
      dec.Embed(&steps[j], 1, &want[j * d]);
      dec.Steps(&want[j * d], 1, pos, {SeqRows{&one, 0, 1}});
    }
    // The same five steps in one pass, followed by two rows of another
    // sequence (batched decoding) that start at position 0.
    Positions pos;
    for (size_t j = 0; j < steps.size(); ++j) {
      const int64_t p = static_cast<int64_t>(prompt.size() + j);
      pos.Push(p, p, p);
    }
    pos.Push(0, 0, 0);
    pos.Push(1, 1, 1);
    std::vector<int32_t> ids = steps;
    ids.push_back(prompt[0]);
    ids.push_back(prompt[1]);
    dec.Embed(ids.data(), ids.size(), got.data());
    dec.Steps(got.data(), ids.size(), pos, {SeqRows{&many, 0, steps.size()}, SeqRows{&other, steps.size(), 2}});
    CHECK(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) == 0);
    CHECK(many.size() == prompt.size() + steps.size());
    CHECK(other.size() == 2);
    // The other sequence's rows equal its own one-token steps.
    KvCache alone(c, 8);
    std::vector<float> x(d);
    for (size_t j = 0; j < 2; ++j) {
      Positions p1;
      p1.Push(static_cast<int64_t>(j), static_cast<int64_t>(j), static_cast<int64_t>(j));
      dec.Embed(&prompt[j], 1, x.data());
      dec.Steps(x.data(), 1, p1, {SeqRows{&alone, 0, 1}});
      CHECK(std::memcmp(x.data(), &got[(steps.size() + j) * d], d * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("greedy generation with drafts is token-identical to generation without", "[draft][golden][generate]") {
  for (DType type : {DType::kF32, DType::kBF16, DType::kQ8, DType::kQ4}) {
    INFO("weights " << Info(type).name);
    const Model& model = GoldenModel(type);
    GoldenCase g("text_only");
    PromptPlan plan = BuildPrompt(model.tokenizer(), CaseMessages(g.manifest()), PromptInputs{});
    plan.rope_delta = 37;  // as after an image: decode positions run ahead of cache indices
    const int n = 300;
    auto run = [&](bool draft, const TokenStore* store, double penalty) {
      Session session(model, plan.ids.size() + n);
      GenerateOptions opt;
      opt.max_new_tokens = n;
      opt.stop_ids = {-1};  // exactly n tokens
      opt.draft = draft;
      opt.draft_max = 6;  // not this CPU's default: the same test everywhere
      opt.draft_store = store;
      opt.sampler.repetition_penalty = static_cast<float>(penalty);
      return session.Generate(plan, opt);
    };
    for (double penalty : {1.0, 1.1}) {
      INFO("repetition penalty " << penalty);
      const GenerateResult plain = run(false, nullptr, penalty);
      REQUIRE(plain.tokens.size() == static_cast<size_t>(n));
      CHECK_FALSE(plain.drafting);
      CHECK(plain.draft.steps == static_cast<size_t>(n - 1));
      // Drafts from the request's own text only.
      const GenerateResult own = run(true, nullptr, penalty);
      CHECK(own.tokens == plain.tokens);
      CHECK(own.text == plain.text);
      // A store holding this very output: nearly every draft is right.
      TokenStore right;
      right.AddDocument(plain.tokens);
      const GenerateResult good = run(true, &right, penalty);
      CHECK(good.tokens == plain.tokens);
      CHECK(good.draft.accepted > good.draft.drafted / 2);
      CHECK(good.draft.steps < static_cast<size_t>(n) / 2);
      // A store of the output with every 5th token changed: drafts fail often.
      std::vector<int32_t> wrong = plain.tokens;
      for (size_t i = 0; i < wrong.size(); i += 5) wrong[i] = (wrong[i] + 1) % 1000;
      TokenStore bad;
      bad.AddDocument(wrong);
      const GenerateResult mixed = run(true, &bad, penalty);
      CHECK(mixed.tokens == plain.tokens);
      CHECK(mixed.draft.accepted < mixed.draft.drafted);
      INFO("own " << own.draft.accepted << "/" << own.draft.drafted << " good " << good.draft.accepted << "/"
                  << good.draft.drafted << " mixed " << mixed.draft.accepted << "/" << mixed.draft.drafted);
      CHECK(mixed.draft.accepted > 0);
    }
  }
}

TEST_CASE("drafting stops exactly at max_new_tokens and at a stop token", "[draft][golden][generate]") {
  const Model& model = GoldenModel(DType::kBF16);
  GoldenCase g("text_only");
  const PromptPlan plan = BuildPrompt(model.tokenizer(), CaseMessages(g.manifest()), PromptInputs{});
  Session base(model, plan.ids.size() + 64);
  GenerateOptions opt;
  opt.max_new_tokens = 64;
  opt.stop_ids = {-1};
  opt.draft = false;
  const GenerateResult plain = base.Generate(plan, opt);
  TokenStore right;
  right.AddDocument(plain.tokens);
  for (int n : {1, 2, 7, 33}) {
    Session s(model, plan.ids.size() + n);
    GenerateOptions o = opt;
    o.max_new_tokens = n;
    o.draft = true;
    o.draft_max = 6;
    o.draft_store = &right;
    const GenerateResult r = s.Generate(plan, o);
    REQUIRE(r.tokens.size() == static_cast<size_t>(n));
    CHECK(std::equal(r.tokens.begin(), r.tokens.end(), plain.tokens.begin()));
    CHECK(r.finish_reason == "length");
  }
  // The 20th token as the stop id: generation ends there, drafted or not.
  Session s(model, plan.ids.size() + 64);
  GenerateOptions o = opt;
  o.draft = true;
  o.draft_store = &right;
  o.stop_ids = {plain.tokens[19]};
  const GenerateResult r = s.Generate(plan, o);
  const size_t first = static_cast<size_t>(std::find(plain.tokens.begin(), plain.tokens.end(), plain.tokens[19]) -
                                           plain.tokens.begin());
  CHECK(r.tokens.size() == first + 1);
  CHECK(r.finish_reason == "stop");
}

TEST_CASE("continuous batching gives every request the tokens it gets alone", "[draft][batch][golden][generate]") {
  for (DType type : {DType::kBF16, DType::kQ4}) {
    INFO("weights " << Info(type).name);
    const Model& model = GoldenModel(type);
    // Seven requests of different prompts, lengths and drafting through three slots.
    std::vector<PromptPlan> plans;
    std::vector<GenerateOptions> opts;
    for (int i = 0; i < 7; ++i) {
      const std::string text = "Record " + std::to_string(i) + ": sinus rhythm" + std::string(static_cast<size_t>(i), '!');
      plans.push_back(BuildPrompt(model.tokenizer(), WithDefaultSystem({{"user", text}}), PromptInputs{}));
      GenerateOptions o;
      o.max_new_tokens = 20 + 17 * i;
      o.stop_ids = {-1};
      o.draft = i % 3 != 1;
      if (i == 5) o.sampler.repetition_penalty = 1.2f;
      opts.push_back(o);
    }
    std::vector<GenerateResult> alone;
    for (size_t i = 0; i < plans.size(); ++i) {
      Session s(model, 256);
      alone.push_back(s.Generate(plans[i], opts[i]));
    }
    BatchDecoder batch(model, 3, 256);
    std::vector<GenerateResult> got(plans.size());
    std::vector<std::string> streamed(plans.size());
    size_t next = 0, finished = 0, max_active = 0;
    while (finished < plans.size()) {
      while (next < plans.size() && batch.has_free_slot()) {
        const size_t i = next++;
        batch.Start(plans[i], opts[i], [&, i](GenerateResult&& r) { got[i] = std::move(r); ++finished; },
                    [&, i](const std::string& piece) { streamed[i] += piece; });
      }
      max_active = std::max(max_active, batch.active());
      batch.Step();
    }
    CHECK(max_active == 3);
    for (size_t i = 0; i < plans.size(); ++i) {
      INFO("request " << i);
      CHECK(got[i].tokens == alone[i].tokens);
      CHECK(got[i].text == alone[i].text);
      CHECK(streamed[i] == alone[i].text);
      CHECK(got[i].tokens.size() == static_cast<size_t>(opts[i].max_new_tokens));
    }
  }
}

}  // namespace ecgr1::test
