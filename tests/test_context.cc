// Tests of check/context.h (ConText negation / uncertainty scope) and of how
// claims.cc uses it: the failure kinds, each as a phrase of the
// model's style, checked on the claims extracted from it.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "base/strings.h"
#include "check/claims.h"
#include "check/context.h"

namespace ecgr1::test {
namespace {

std::string Leads(const Claim& c) {
  std::string s;
  for (const std::string& l : c.leads) s += (s.empty() ? "" : ",") + l;
  return s;
}

const Claim* FindClaim(const std::vector<Claim>& claims, const std::string& kind, const std::string& qualifier) {
  for (const Claim& c : claims)
    if (c.kind == kind && (qualifier.empty() || c.qualifier == qualifier)) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("context: pre- and post-negation, pseudo triggers, termination", "[context]") {
  struct Case { const char* text; const char* target; bool negated; bool uncertain; };
  const Case cases[] = {
      {"There is no ST elevation.", "ST elevation", true, false},
      {"ST elevation is absent.", "ST elevation", true, false},
      {"Atrial fibrillation was ruled out.", "Atrial fibrillation", true, false},
      {"The criteria for LVH are not fulfilled.", "LVH", true, false},
      {"Delta waves are not seen.", "Delta waves", true, false},
      {"Without ST depression, consistent with a normal ECG.", "normal ECG", false, false},
      {"No Q waves in II, III and aVF, indicating an old inferior infarction is unlikely.", "II", true, false},
      {"No pathological Q waves, indicating LVH.", "LVH", false, false},
      {"There is no change in the QRS morphology.", "QRS morphology", false, false},
      {"The QRS duration is no more than 100 ms.", "100 ms", false, false},
      {"Not only ST elevation but also Q waves.", "ST elevation", false, false},
      {"Possible left ventricular hypertrophy.", "left ventricular hypertrophy", false, true},
      {"Anterior infarction cannot be excluded.", "Anterior infarction", false, true},
      {"LVH voltage criteria are unreliable in the presence of RBBB.", "LVH", false, true},
      {"The rhythm is sinus and delta waves are absent.", "sinus", false, false},
      {"The rhythm is sinus and delta waves are absent.", "delta waves", true, false},
      {"ST elevation and Q waves are absent.", "ST elevation", true, false},
      {"No ST elevation, but T wave inversion in V2.", "T wave inversion", false, false},
      {"No ST elevation, and the T waves are inverted in V2.", "T waves", false, false},
      {"No ST elevation or depression, or pathological Q waves.", "pathological Q waves", true, false},
      {"There is no irregularity to suggest atrial fibrillation.", "atrial fibrillation", true, false},
      {"There is no evidence of lead reversal as P waves are upright in lead I.", "P waves", false, false},
      {"Sinus rhythm rather than atrial flutter.", "atrial flutter", true, false},
      {"A QS complex in V1, not indicative of isolated poor R wave progression.", "poor R wave progression", true, false},
      {"No ST elevation, consistent with a normal tracing.", "normal tracing", false, false},
      // Inside a noun phrase a conclusion phrase ends nothing.
      {"Without tenting suggestive of hyperkalemia or flattening with U waves.", "flattening", true, false},
      {"There is no ST elevation consistent with STEMI.", "STEMI", true, false},
      {"Sinus rhythm rather than atrial flutter.", "Sinus rhythm", false, false},
  };
  for (const Case& c : cases) {
    INFO(c.text << "  [" << c.target << "]");
    const std::string low = AsciiLower(c.text);
    const ContextScopes scopes(low);
    const size_t at = low.find(AsciiLower(c.target));
    REQUIRE(at != std::string::npos);
    const ContextScopes::Modifiers m = scopes.Of(at, at + std::string(c.target).size());
    CHECK((m.negation != nullptr) == c.negated);
    CHECK((m.uncertainty != nullptr) == c.uncertain);
  }
}

TEST_CASE("context: every trigger of the table is matched as a whole phrase", "[context]") {
  for (const ContextTrigger& t : ContextTriggerTable()) {
    const std::string text = std::string("xx ") + t.phrase + " yy.";
    const ContextScopes scopes(text);
    if (t.category == ContextCategory::kNegation || t.category == ContextCategory::kUncertainty) {
      INFO(t.phrase);
      REQUIRE(scopes.Matches().size() == 1);
      CHECK(scopes.Matches()[0].trigger == &t);
    }
  }
  // Inside a longer word a trigger is no trigger ("note", "nothing", "notched").
  const std::string text = "notched t waves; nothing; annotated.";
  CHECK(ContextScopes(text).Matches().empty());
}

TEST_CASE("claims: negation scope, lead lists that switch, criterion mentions", "[context][claims]") {
  // A lead list that switches finding mid-list.
  auto claims = ExtractClaims("T waves are upright in I, II and V3-V6 and inverted in aVR and V1.");
  const Claim* up = FindClaim(claims, "t_wave", "upright");
  const Claim* inv = FindClaim(claims, "t_wave", "inverted");
  REQUIRE(up != nullptr);
  REQUIRE(inv != nullptr);
  CHECK(Leads(*up) == "I,II,V3,V4,V5,V6");
  CHECK(Leads(*inv) == "aVR,V1");
  CHECK(inv->text == "inverted in aVR and V1");
  CHECK_FALSE(inv->negated);
  claims = ExtractClaims("ST elevation in V1-V3 and depression in II, III and aVF.");
  REQUIRE(FindClaim(claims, "st", "elevation") != nullptr);
  CHECK(Leads(*FindClaim(claims, "st", "elevation")) == "V1,V2,V3");
  REQUIRE(FindClaim(claims, "st", "depression") != nullptr);
  CHECK(Leads(*FindClaim(claims, "st", "depression")) == "II,III,aVF");

  // A negation does not leak across a conclusion phrase; a post-negation is read.
  claims = ExtractClaims("There is no ST elevation, consistent with left bundle branch block.");
  REQUIRE(FindClaim(claims, "bundle_branch_block", "LBBB") != nullptr);
  CHECK_FALSE(FindClaim(claims, "bundle_branch_block", "LBBB")->negated);
  CHECK(FindClaim(claims, "st", "elevation")->negated);
  claims = ExtractClaims("Left ventricular hypertrophy is absent.");
  REQUIRE(FindClaim(claims, "lvh", "") != nullptr);
  CHECK(FindClaim(claims, "lvh", "")->negated);
  CHECK(FindClaim(claims, "lvh", "")->modifier == "is absent");
  claims = ExtractClaims("The voltage criteria for left ventricular hypertrophy are not fulfilled.");
  REQUIRE(FindClaim(claims, "lvh", "LVH") != nullptr);
  CHECK(FindClaim(claims, "lvh", "LVH")->negated);
  claims = ExtractClaims("Atrial fibrillation was ruled out by the regular P waves.");
  REQUIRE(FindClaim(claims, "rhythm", "atrial fibrillation") != nullptr);
  CHECK(FindClaim(claims, "rhythm", "atrial fibrillation")->negated);

  // Hedged claims are uncertain, not negated.
  claims = ExtractClaims("Left ventricular hypertrophy cannot be excluded.");
  REQUIRE(FindClaim(claims, "lvh", "") != nullptr);
  CHECK(FindClaim(claims, "lvh", "")->uncertain);
  CHECK_FALSE(FindClaim(claims, "lvh", "")->negated);

  // Quoted thresholds are criterion mentions, measurements are not.
  claims = ExtractClaims("The Sokolow-Lyon index is 22 mm, below the Sokolow-Lyon cut-off of 35 mm.");
  int crit = 0, measured = 0;
  for (const Claim& c : claims) {
    if (c.kind != "voltage" || std::isnan(c.value)) continue;
    if (c.value == Approx(3.5)) {
      CHECK(c.criterion);
      ++crit;
    }
    if (c.value == Approx(2.2)) {
      CHECK_FALSE(c.criterion);
      ++measured;
    }
  }
  CHECK(crit == 1);
  CHECK(measured == 1);
  claims = ExtractClaims("The R wave in aVL is 6 mm, under the 11 mm limit.");
  for (const Claim& c : claims)
    if (c.kind == "voltage" && c.value == Approx(1.1)) CHECK(c.criterion);
  claims = ExtractClaims("The QTc is approximately 420 ms, below the threshold of 440 ms.");
  for (const Claim& c : claims) {
    if (c.kind != "qtc") continue;
    CHECK(c.criterion == (c.value == Approx(440)));
  }
  claims = ExtractClaims("SV1 + RV5 is 28 mm (normal < 35 mm).");
  for (const Claim& c : claims)
    if (c.kind == "voltage") CHECK(c.criterion == (c.value == Approx(3.5)));
  claims = ExtractClaims("The PR interval is within normal limits at approximately 160 ms.");
  REQUIRE(FindClaim(claims, "pr", "") != nullptr);
  for (const Claim& c : claims)
    if (c.kind == "pr" && c.value == Approx(160)) CHECK_FALSE(c.criterion);
}

TEST_CASE("context: hostile inputs stay bounded", "[context]") {
  std::string s;
  for (int i = 0; i < 20000; ++i) s += "no not without possible but ";
  const ContextScopes scopes(s);
  CHECK(scopes.Matches().size() == 80000);  // "but" is a termination, not a match
  for (size_t p = 0; p < s.size(); p += 997) (void)scopes.Of(p, p + 5);
  // One endless sentence: a verbless run, then many post-negations and bare "and"s.
  std::string one(2000000, 'x');
  for (size_t i = 1; i < one.size(); i += 2) one[i] = ' ';
  for (int i = 0; i < 20000; ++i) one += " y is absent, z and the q is w";
  const std::string low1 = one;
  const ContextScopes big(low1);
  CHECK(big.Matches().size() == 20000);
  std::string nul(1000, '\0');
  nul += "no";
  CHECK(ContextScopes(nul).Matches().size() == 1);
}

}  // namespace ecgr1::test
