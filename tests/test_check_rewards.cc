// Tests of check/rewards.h and check/output_structure.h: ECG-R1's three RL
// rewards with hand-computed expectations from ../shared/spec/evidence.md
// (every test vector of §5, then the parsing quirks of the original regexes),
// the solution parser, the protocol-structure parser on outputs written here
// in the model's style, on the real outputs in shared/spec/real-outputs (read
// at run time, not copied), on truncated outputs and on hostile inputs.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "check/output_structure.h"
#include "check/rewards.h"
#include "test_util.h"

namespace ecgr1::test {
namespace {

using Steps = std::vector<std::pair<long, std::string>>;

Steps StepsOf(const std::string& completion) {
  bool think = false;
  return EvidenceSteps(completion, &think);
}

double Diag(const std::string& completion, const std::string& solution) {
  return DiagnosisReward(completion, ParseSolutionLenient(solution));
}

double Evid(const std::string& completion, const std::string& solution, double w = 1.0) {
  return EvidenceRewardOf(completion, ParseSolutionLenient(solution), w).reward;
}

// Six steps in the model's style (our own text).
std::string SixSteps() {
  return "<think>\n"
         "**Step 1: Technical, Rate & Rhythm**\n"
         "Baseline is stable. The heart rate is 72 bpm with upright P waves in II.\n\n"
         "**Step 2: Conduction, Axis & Intervals**\n"
         "The axis is normal. The PR interval is 150 ms and the QRS is narrow.\n\n"
         "**Step 3: Chamber Hypertrophy & Voltage**\n"
         "No LVH by Sokolow-Lyon; R in aVL is less than 11 mm.\n\n"
         "**Step 4: Ischemia, Infarction & Mimics**\n"
         "No ST elevation in II, III or aVF; no pathologic Q waves.\n\n"
         "**Step 5: Electrolytes & QT**\n"
         "T waves are normal; the QTc is below 440 ms.\n\n"
         "**Step 6: Final Medical Reasoning**\n"
         "Normal sinus rhythm without acute findings.\n"
         "</think>\n\n"
         "The tracing shows sinus rhythm at 72 bpm with normal intervals.\n\n"
         "<answer>Sinus rhythm; Normal ECG</answer>";
}

const char* kTitles[6] = {"Technical, Rate & Rhythm",           "Conduction, Axis & Intervals",
                          "Chamber Hypertrophy & Voltage",      "Ischemia, Infarction & Mimics",
                          "Electrolytes & QT",                  "Final Medical Reasoning"};

// Evidence example E1 of evidence.md §5.
const std::string kE1 =
    "<think>\n**Step 1: Technical, Rate & Rhythm**\nIrregularly irregular rhythm at 101 bpm with absent P waves.\n\n"
    "**Step 2: Conduction, Axis & Intervals**\nNarrow QRS; normal axis.\n\n**Step 3: Chamber Hypertrophy & "
    "Voltage**\nNo LVH.\n\n**Step 4: Ischemia, Infarction & Mimics**\nNo ST elevation.\n\n**Step 5: Electrolytes & "
    "QT**\nQTc normal.\n\n**Step 6: Final Medical Reasoning**\nAtrial fibrillation.\n</think>\n\nNarr.\n\n"
    "<answer>Atrial fibrillation</answer>";
const std::string kE1Solution =
    "<|key_diagnostic_evidence|>step_1_technical_rate_rhythm: irregularly irregular rhythm; absent P waves; 110 bpm\n"
    "step_2_conduction_axis_intervals: narrow QRS\nstep_3_chamber_hypertrophy_voltage: \n"
    "step_4_ischemia_infarction_mimics: ST depression\nstep_5_electrolytes_qt: \n"
    "step_6_final_medical_reasoning: atrial fibrillation<|/key_diagnostic_evidence|>";

}  // namespace

// ---------------------------------------------------------------------------
// Python string primitives.

TEST_CASE("PyStrip and PyLower follow Python str.strip/str.lower", "[check]") {
  CHECK(PyStrip(" \t\n a b \r\x0b\x0c") == "a b");
  CHECK(PyStrip("\x1c\x1d\x1e\x1f" "a") == "a");               // str.isspace includes the separators
  CHECK(PyStrip("\xC2\xA0\xE2\x80\x83x\xE3\x80\x80") == "x");   // NBSP, EM SPACE, IDEOGRAPHIC SPACE
  CHECK(PyStrip("\xE2\x80\x8Bx") == "\xE2\x80\x8Bx");           // ZERO WIDTH SPACE is not whitespace
  CHECK(PyStrip(std::string("\0x\0", 3)) == std::string("\0x\0", 3));  // NUL is not whitespace
  CHECK(PyStrip("   ") == "");
  CHECK(PyLower("Sinus RHYTHM; LVH") == "sinus rhythm; lvh");
  CHECK(PyLower("\xC3\x89" "CG \xCE\xA9 \xD0\x9F") == "\xC3\xA9" "cg \xCF\x89 \xD0\xBF");  // ÉCG Ω П
  CHECK(PyLower("\xC4\xB0") == "i\xCC\x87");                    // İ -> i + COMBINING DOT ABOVE
  CHECK(PyLower("\xE2\x84\xAA") == "k");                        // KELVIN SIGN
  CHECK(PyLower("\xFF" "A") == "\xFF" "a");                      // invalid bytes kept
  CHECK(PyLower("\xD4\xB1\xE1\xBA\x9E") == "\xD5\xA1\xC3\x9F");  // Armenian Ա -> ա, ẞ -> ß (full table)
}

// ---------------------------------------------------------------------------
// §1 format reward.

TEST_CASE("format reward: evidence.md test vectors and quirks", "[check]") {
  struct Case {
    std::string completion;
    double want;
  };
  const std::vector<Case> cases = {
      {"<think>\nabc\n</think>\n\nxyz", 1.0},                 // F1
      {"<think> \n </think>", 0.0},                           // F2
      {"<THINK>abc</THINK>", 0.0},                            // F3: case-sensitive
      {"<think>a</think>", 1.0},
      {"no tags at all", 0.0},
      {"<think>\nStep 1 ...", 0.0},                           // truncated: no </think>
      {"</think><think>x</think>", 1.0},                      // the first <think> is the second tag
      {"<think> </think><think>x</think>", 0.0},              // only the first pair is looked at
      {"<think><think>x</think>", 1.0},                       // inner "<think>x" is content
      {"<think>\xC2\xA0\xE2\x80\x83</think>", 0.0},            // Unicode whitespace only
      {"<think>\x1c</think>", 0.0},                           // \x1c is whitespace to Python
      {"<think>\xE2\x80\x8B</think>", 1.0},                    // U+200B is not
      {std::string("<think>\0</think>", 16), 1.0},            // NUL is content
      {"<Think>x</think>", 0.0},
      {"<think>x</Think>", 0.0},
      {"text <think>x</think> no answer, no steps", 1.0},     // nothing else is checked
  };
  for (const auto& c : cases) {
    INFO(c.completion);
    CHECK(FormatReward(c.completion) == c.want);
  }
  CHECK(FormatReward(SixSteps()) == 1.0);
  CHECK(FormatReward(kE1) == 1.0);
}

// ---------------------------------------------------------------------------
// §3 diagnosis reward.

TEST_CASE("diagnosis reward: evidence.md test vectors and quirks", "[check]") {
  struct Case {
    std::string completion, solution;
    double want;
  };
  const std::vector<Case> cases = {
      {"<answer>sinus rhythm; left axis deviation</answer>", "<|answer|>Sinus rhythm; Normal ECG<|/answer|>",
       1.0 / 3},                                                                                        // D1
      {"<answer>Normal ECG; Sinus rhythm</answer>", "<|answer|>Sinus rhythm; Normal ECG<|/answer|>", 1.0},  // D2
      {"<answer>atrial fibrillation.</answer>", "<|answer|>Atrial fibrillation<|/answer|>", 0.0},        // D3
      {"<answer> </answer>", "<|answer|><|/answer|>", 1.0},                                              // D4
      {"<answer>Sinus rhythm;</answer>", "<|answer|>sinus rhythm<|\\answer|>", 1.0},                     // D5
      {"<answer>A; B</answer><answer>C</answer>", "<|answer|>c<|/answer|>", 0.0},                        // D6
      // Missing either side -> 0.
      {"no answer", "<|answer|>x<|/answer|>", 0.0},
      {"<answer>x</answer>", "no answer section", 0.0},
      {"<answer>x", "<|answer|>x<|/answer|>", 0.0},                 // truncated
      {"<ANSWER>x</ANSWER>", "<|answer|>x<|/answer|>", 0.0},         // tags are case-sensitive
      {"<answer>x</answer>", "<|ANSWER|>x<|/ANSWER|>", 0.0},
      // No ';' on either side: whole strings compared.
      {"<answer> Sinus rhythm, normal ECG </answer>", "<|answer|>sinus rhythm, NORMAL ecg<|/answer|>", 1.0},
      {"<answer>Sinus rhythm normal ECG</answer>", "<|answer|>sinus rhythm<|/answer|>", 0.0},
      // ';' on one side only: both split.
      {"<answer>Sinus rhythm</answer>", "<|answer|>Sinus rhythm; Normal ECG<|/answer|>", 0.5},
      // Duplicates collapse; empties dropped.
      {"<answer>a; A ;a;;</answer>", "<|answer|>a<|/answer|>", 1.0},
      {"<answer>;</answer>", "<|answer|><|/answer|>", 1.0},        // both empty after splitting
      {"<answer>;</answer>", "<|answer|>x<|/answer|>", 0.0},       // exactly one empty
      {"<answer></answer>", "<|answer|>x<|/answer|>", 0.0},
      // 2 of 4 distinct labels shared.
      {"<answer>A; B; C</answer>", "<|answer|>a; b; d<|/answer|>", 0.5},
      // Synonyms and abbreviations do not match; unicode lower-casing does.
      {"<answer>AF</answer>", "<|answer|>Atrial fibrillation<|/answer|>", 0.0},
      {"<answer>\xC3\x89" "CG anormal</answer>", "<|answer|>\xC3\xA9" "cg anormal<|/answer|>", 1.0},
      // The solution's nearest closing tag of either spelling wins.
      {"<answer>a</answer>", "<|answer|>a<|\\answer|>b<|/answer|>", 1.0},
      // The completion's answer may span lines.
      {"<answer>Sinus rhythm;\nNormal ECG\n</answer>", "<|answer|>Sinus rhythm; Normal ECG<|/answer|>", 1.0},
  };
  for (const auto& c : cases) {
    INFO(c.completion << " | " << c.solution);
    CHECK(Diag(c.completion, c.solution) == Approx(c.want).margin(1e-12));
  }
  CHECK(Diag(SixSteps(), "<|answer|>Sinus rhythm; Normal ECG<|/answer|>") == 1.0);
}

// ---------------------------------------------------------------------------
// §2 evidence reward.

TEST_CASE("evidence reward: example E1", "[check]") {
  const Solution s = ParseSolutionLenient(kE1Solution);
  REQUIRE(s.has_evidence_section);
  REQUIRE(s.evidence.size() == 6);
  CHECK(s.Find("step_3_chamber_hypertrophy_voltage")->empty());
  CHECK(*s.Find("step_1_technical_rate_rhythm") ==
        std::vector<std::string>{"irregularly irregular rhythm", "absent P waves", "110 bpm"});

  const Steps st = StepsOf(kE1);
  REQUIRE(st.size() == 6);
  CHECK(st[0].first == 1);
  CHECK(st[0].second == "Technical, Rate & Rhythm**\nIrregularly irregular rhythm at 101 bpm with absent P waves.");
  CHECK(st[5].second == "Final Medical Reasoning**\nAtrial fibrillation.");

  const EvidenceReward r = EvidenceRewardOf(kE1, s);
  CHECK(r.counted == 4);
  REQUIRE(r.steps.size() == 6);
  CHECK(r.steps[0].score == Approx(2.0 / 3));
  CHECK(r.steps[0].hit == std::vector<bool>{true, true, false});
  CHECK(r.steps[1].score == 1.0);
  CHECK_FALSE(r.steps[2].counted);
  CHECK(r.steps[3].score == 0.0);
  CHECK_FALSE(r.steps[4].counted);
  CHECK(r.steps[5].score == 1.0);
  CHECK(r.reward == Approx(2.0 / 3).margin(1e-12));  // (2/3 + 1 + 0 + 1) / 4
  CHECK(EvidenceRewardOf(kE1, s, 2.0).reward == Approx(4.0 / 3).margin(1e-12));
}

TEST_CASE("evidence reward: hand-computed cases", "[check]") {
  const std::string k1 = "step_1_technical_rate_rhythm", k2 = "step_2_conduction_axis_intervals";
  struct Case {
    const char* why;
    std::string completion, solution;
    double want;
  };
  const std::vector<Case> cases = {
      {"header words hit", "<think>**Step 1: Technical, Rate & Rhythm**\nx</think>", k1 + ": rate", 1.0},
      {"missing model step scores 0", "<think>**Step 1: sinus\n</think>", k1 + ": sinus\n" + k2 + ": narrow QRS",
       0.5},
      {"evidence from the wrong step does not count", "<think>**Step 1: a\n**Step 2: sinus rhythm</think>",
       k1 + ": sinus rhythm", 0.0},
      {"empty lists are skipped", "<think>**Step 2: Narrow qrs complexes</think>",
       k1 + ": \n" + k2 + ": narrow QRS", 1.0},
      {"all lists empty: nothing counted", "<think>**Step 1: a</think>", k1 + ": ;  ;", 0.0},
      {"no keys at all", "<think>**Step 1: a</think>", "<|answer|>a<|/answer|>", 0.0},
      {"no think", "**Step 1: a", k1 + ": a", 0.0},
      {"unclosed think", "<think>**Step 1: a", k1 + ": a", 0.0},
      {"think is case-insensitive", "<THINK>**STEP 1: A</Think>", k1 + ": a", 1.0},
      {"no steps parsed", "<think>just text</think>", k1 + ": just", 0.0},
      {"literal matching: hyphen", "<think>**Step 1: no ST-elevation</think>", k1 + ": ST elevation", 0.0},
      {"literal matching: whitespace", "<think>**Step 1: no ST  elevation</think>", k1 + ": ST elevation", 0.0},
      {"no word boundaries", "<think>**Step 1: tachycardia</think>", k1 + ": cardia", 1.0},
      {"partial hits", "<think>**Step 1: a b</think>", k1 + ": a; c; b; d", 0.5},
      {"step 10 is not step 1", "<think>**Step 10: a</think>", k1 + ": a", 0.0},
      {"step 01 is step 1", "<think>**Step 01: a</think>", k1 + ": a", 1.0},
      {"Step7 is ignored, Step 6 counts", "<think>**Step 6: b\n**Step 7: a</think>",
       "step_6_final_medical_reasoning: a; b", 0.5},
      {"whole solution when there is no section", "<think>**Step 1: sinus</think>", "  " + k1 + ": Sinus  ", 1.0},
      {"upper-case keys", "<think>**Step 1: sinus</think>", "STEP_1_TECHNICAL_RATE_RHYTHM: sinus", 1.0},
      {"unicode lower-case match", "<think>**Step 1: \xC3\x89" "CG</think>", k1 + ": \xC3\xA9" "cg", 1.0},
  };
  for (const auto& c : cases) {
    INFO(c.why << ": " << c.completion << " | " << c.solution);
    CHECK(Evid(c.completion, c.solution) == Approx(c.want).margin(1e-12));
  }
}

TEST_CASE("evidence reward: model-side step parsing quirks", "[check]") {
  // Delimiter is the first of "**", ":" or newline after the number.
  CHECK(StepsOf("<think>**Step 1** Sinus rhythm</think>") == Steps{{1, "Sinus rhythm"}});
  CHECK(StepsOf("<think>**Step 1 - Rate\nSinus</think>") == Steps{{1, "Sinus"}});
  CHECK(StepsOf("<think>**Step 1 (rate): a</think>") == Steps{{1, "a"}});
  // The delimiter may be the "**" of the next header, which is then swallowed.
  CHECK(StepsOf("<think>**Step 1 **Step 2: foo</think>") == Steps{{1, "Step 2: foo"}});
  // "**Steps" ends a step but is no header: the text after it is lost.
  CHECK(StepsOf("<think>**Step 1: a **Steps** b</think>") == Steps{{1, "a"}});
  // Whitespace is required (any Unicode whitespace, newline included).
  CHECK(StepsOf("<think>**Step1: a</think>").empty());
  CHECK(StepsOf("<think>**Step\n3\nabc</think>") == Steps{{3, "abc"}});
  CHECK(StepsOf("<think>**Step\xC2\xA0" "2: abc</think>") == Steps{{2, "abc"}});
  CHECK(StepsOf("<think>**Step one: a</think>").empty());
  // No delimiter after the number anywhere: no match.
  CHECK(StepsOf("<think>**Step 1 abc</think>").empty());
  // Later duplicates win; empty texts are dropped (and do not replace).
  CHECK(StepsOf("<think>**Step 1: a\n**Step 1: b</think>") == Steps{{1, "b"}});
  CHECK(StepsOf("<think>**Step 1: a\n**Step 1:\n</think>") == Steps{{1, "a"}});
  CHECK(StepsOf("<think>**Step 2:   </think>").empty());
  // Python IGNORECASE look-alikes: long s, Kelvin sign, dotless i.
  CHECK(StepsOf("<think>**\xC5\xBFtep 1: a</think>") == Steps{{1, "a"}});
  CHECK(StepsOf("<thin\xE2\x84\xAA>**Step 1: a</th\xC4\xB1nk>") == Steps{{1, "a"}});
  // Text before the first header is ignored; the header may be mid-line.
  CHECK(StepsOf("<think>intro **Step 4: ST\n</think>") == Steps{{4, "ST"}});
  // `\d` is any Unicode decimal digit and int() reads it: Arabic-Indic one,
  // fullwidth two, mathematical bold three after an ASCII zero.
  CHECK(StepsOf("<think>**Step \xD9\xA1: a\n**Step \xEF\xBC\x92: b\n**Step 0\xF0\x9D\x9F\x91: c</think>") ==
        Steps{{1, "a"}, {2, "b"}, {3, "c"}});
  // Huge numbers saturate instead of overflowing.
  const Steps big = StepsOf("<think>**Step 99999999999999999999: a</think>");
  REQUIRE(big.size() == 1);
  CHECK(big[0].first == 2147483647L);
}

TEST_CASE("solution parsing quirks", "[check]") {
  const std::string k1 = "step_1_technical_rate_rhythm", k2 = "step_2_conduction_axis_intervals";
  using P = std::vector<std::string>;
  // Closing tag spellings and case-insensitive section tags.
  Solution s = ParseSolutionLenient("<|KEY_DIAGNOSTIC_EVIDENCE|>" + k1 + ": a<|\\Key_Diagnostic_Evidence|> " + k2 +
                                    ": outside");
  CHECK(s.has_evidence_section);
  REQUIRE(s.evidence.size() == 1);
  CHECK(s.evidence[0].second == P{"a"});
  // No word boundary before "step_".
  s = ParseSolutionLenient("misstep_1_technical_rate_rhythm: a");
  REQUIRE(s.Find(k1) != nullptr);
  CHECK(*s.Find(k1) == P{"a"});
  // A value ends before any "step_<digit>", even inside a phrase; the rest of
  // the text up to the next key belongs to no entry.
  s = ParseSolutionLenient(k1 + ": see step_2 above; b\n" + k2 + ": c");
  REQUIRE(s.evidence.size() == 2);
  CHECK(*s.Find(k1) == P{"see"});
  CHECK(*s.Find(k2) == P{"c"});
  // Any Unicode digit ends a value too; a fullwidth-digit key is some other key.
  s = ParseSolutionLenient(k1 + ": a step_\xD9\xA2 b\nstep_\xEF\xBC\x91_technical_rate_rhythm: c");
  REQUIRE(s.evidence.size() == 2);
  CHECK(*s.Find(k1) == P{"a"});
  CHECK(s.evidence[1].first == "step_\xEF\xBC\x91_technical_rate_rhythm");
  // "step_x" (no digit) does not end a value.
  s = ParseSolutionLenient(k1 + ": a step_x b; c");
  CHECK(*s.Find(k1) == P{"a step_x b", "c"});
  // Whitespace before the colon: no entry.
  s = ParseSolutionLenient(k1 + " : a");
  CHECK(s.evidence.empty());
  // Keys are stored lower-cased; a repeated key takes the later value.
  s = ParseSolutionLenient("Step_1_Technical_Rate_Rhythm: a\n" + k1 + ": b");
  REQUIRE(s.evidence.size() == 1);
  CHECK(s.evidence[0].first == k1);
  CHECK(s.evidence[0].second == P{"b"});
  // Phrases are split on ';' and stripped; the key may be any step_<n>_<name>.
  s = ParseSolutionLenient("step_9_other_thing:\ta;  b ;\n\n" + k2 + ":c");
  REQUIRE(s.evidence.size() == 2);
  CHECK(s.evidence[0].first == "step_9_other_thing");
  CHECK(s.evidence[0].second == P{"a", "b"});
  CHECK(s.evidence[1].second == P{"c"});
  // Digits are required, letters too.
  CHECK(ParseSolutionLenient("step__x: a step_1_: b step_1: c").evidence.empty());
  // The answer: first pair, either closing spelling, untrimmed.
  s = ParseSolutionLenient("<|answer|> Sinus rhythm <|\\answer|>");
  CHECK(s.has_answer);
  CHECK(s.answer == " Sinus rhythm ");
  CHECK_FALSE(ParseSolutionLenient("<|answer|>x").has_answer);
}

TEST_CASE("ParseSolution rejects a solution with nothing usable", "[check]") {
  try {
    ParseSolution("just some words", "sol.txt");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK(std::string(e.what()).find("sol.txt: ") == 0);
  }
  CHECK_THROWS_AS(ParseSolution("", "x"), Error);
  CHECK(ParseSolution("<|answer|>a<|/answer|>", "x").has_answer);
  CHECK(ParseSolution(kE1Solution, "x").evidence.size() == 6);
}

TEST_CASE("EVIDENCE_WEIGHT from the environment", "[check]") {
  unsetenv("EVIDENCE_WEIGHT");
  CHECK(EvidenceWeightFromEnv() == 1.0);
  setenv("EVIDENCE_WEIGHT", " 0.5 ", 1);
  CHECK(EvidenceWeightFromEnv() == 0.5);
  setenv("EVIDENCE_WEIGHT", "abc", 1);
  CHECK_THROWS_AS(EvidenceWeightFromEnv(), Error);
  setenv("EVIDENCE_WEIGHT", "0x10", 1);
  CHECK_THROWS_AS(EvidenceWeightFromEnv(), Error);
  unsetenv("EVIDENCE_WEIGHT");
}

// ---------------------------------------------------------------------------
// Output structure.

TEST_CASE("structure of a complete output", "[check]") {
  const std::string text = SixSteps();
  const ParsedOutput p = ParseOutput(text);
  CHECK(p.has_think);
  CHECK(p.think_closed);
  CHECK(p.problems.empty());
  REQUIRE(p.steps.size() == 6);
  for (int k = 0; k < 6; ++k) {
    CHECK(p.steps[k].number == k + 1);
    CHECK(p.steps[k].title == kTitles[k]);
    CHECK(text.substr(p.steps[k].start, p.steps[k].end - p.steps[k].start) == p.steps[k].text);
    CHECK(text.compare(p.steps[k].header_start, 8, "**Step " + std::to_string(k + 1)) == 0);
  }
  CHECK(p.steps[0].text == "Baseline is stable. The heart rate is 72 bpm with upright P waves in II.");
  CHECK(p.steps[5].text == "Normal sinus rhythm without acute findings.");
  CHECK(p.narrative == "The tracing shows sinus rhythm at 72 bpm with normal intervals.");
  CHECK(text.substr(p.narrative_start, p.narrative_end - p.narrative_start) == p.narrative);
  CHECK(p.has_answer);
  CHECK(p.answer_labels == std::vector<std::string>{"Sinus rhythm", "Normal ECG"});
}

TEST_CASE("structure problems", "[check]") {
  auto has = [](const ParsedOutput& p, const std::string& what) {
    for (const auto& q : p.problems)
      if (q == what) return true;
    return false;
  };
  const std::string full = SixSteps();
  // Step 4 removed.
  {
    std::string t = full;
    const size_t a = t.find("**Step 4"), b = t.find("**Step 5");
    t.erase(a, b - a);
    const ParsedOutput p = ParseOutput(t);
    CHECK(p.steps.size() == 5);
    CHECK(has(p, "step 4 missing"));
    CHECK(p.problems.size() == 1);
  }
  // Steps 3 and 4 swapped.
  {
    std::string t = full;
    const size_t a = t.find("**Step 3"), b = t.find("**Step 4"), c = t.find("**Step 5");
    t = t.substr(0, a) + t.substr(b, c - b) + t.substr(a, b - a) + t.substr(c);
    const ParsedOutput p = ParseOutput(t);
    CHECK(p.steps.size() == 6);
    CHECK(p.problems == std::vector<std::string>{"steps out of order"});
  }
  // A repeated step, an extra step and an empty one.
  {
    const ParsedOutput p =
        ParseOutput("<think>**Step 1: A**\nx\n**Step 1: A**\ny\n**Step 7: B**\nz\n**Step 2: C**\n</think>\nN\n"
                    "<answer>L</answer>");
    CHECK(has(p, "step 1 repeated"));
    CHECK(has(p, "unexpected step 7"));
    CHECK(has(p, "step 2 empty"));
    CHECK(has(p, "step 3 missing"));
    CHECK(has(p, "steps out of order"));
  }
  // Truncated inside step 4 (the 2048-token cap).
  {
    const std::string t = full.substr(0, full.find("no pathologic"));
    const ParsedOutput p = ParseOutput(t);
    CHECK(p.has_think);
    CHECK_FALSE(p.think_closed);
    REQUIRE(p.steps.size() == 4);
    CHECK(p.steps[3].text == "No ST elevation in II, III or aVF;");
    CHECK(has(p, "no </think> (truncated?)"));
    CHECK(has(p, "step 5 missing"));
    CHECK(has(p, "step 6 missing"));
    CHECK(has(p, "no <answer>"));
    CHECK(p.narrative.empty());
    CHECK_FALSE(p.has_answer);
    CHECK(FormatReward(t) == 0.0);
    CHECK(Evid(t, kE1Solution) == 0.0);
  }
  // Truncated inside the answer.
  {
    const std::string t = full.substr(0, full.size() - 16);  // "...<answer>Sinus rhythm; Nor"
    const ParsedOutput p = ParseOutput(t);
    CHECK(p.steps.size() == 6);
    CHECK_FALSE(p.has_answer);
    CHECK(p.answer_labels.empty());
    CHECK(has(p, "no </answer> (truncated?)"));
    CHECK_FALSE(p.narrative.empty());
    CHECK(FormatReward(t) == 1.0);
  }
  // No <think> (a chat template may put it into the prompt): steps still found.
  {
    const std::string t = full.substr(std::string("<think>\n").size());
    const ParsedOutput p = ParseOutput(t);
    CHECK(p.problems == std::vector<std::string>{"no <think>"});
    CHECK(p.steps.size() == 6);
    CHECK(p.answer_labels.size() == 2);
  }
  // Empty answer, no narrative, text before the first step.
  {
    const ParsedOutput p = ParseOutput("<think>intro\n**Step 1: a**\nb\n</think><answer> ; </answer>");
    CHECK(has(p, "empty <answer>"));
    CHECK(has(p, "no narrative"));
    CHECK(has(p, "text in <think> before the first step"));
  }
  // Nothing at all.
  {
    const ParsedOutput p = ParseOutput("");
    CHECK(has(p, "no <think>"));
    CHECK(has(p, "step 1 missing"));
    CHECK(has(p, "no <answer>"));
  }
}

TEST_CASE("real ECG-R1 outputs (shared/spec/real-outputs, when present)", "[check][shared]") {
  const std::string dir = SharedDir() + "/spec/real-outputs";
  struct Want {
    const char* file;
    std::vector<std::string> labels;
  };
  const std::vector<Want> wants = {
      {"05.txt", {"Sinus rhythm", "Normal ECG"}},
      {"17.txt", {"Sinus tachycardia", "Anterior T wave changes are nonspecific", "Borderline ECG"}},
      {"23.txt",
       {"Sinus rhythm", "Anteroseptal infarct", "Inferior/lateral ST-T changes may be due to myocardial ischemia",
        "Abnormal ECG"}},
      {"30.txt", {"Sinus rhythm", "Left bundle branch block", "Abnormal ECG"}},
      {"33.txt", {"Sinus rhythm", "Right bundle branch block", "Abnormal ECG"}},
  };
  if (!std::filesystem::exists(dir + "/05.txt")) {
    WARN("skipped: " << dir << " not present");
    return;
  }
  for (const auto& w : wants) {
    INFO(w.file);
    const std::string text = ModelTextFromInput(ReadAll(dir + "/" + w.file));
    const ParsedOutput p = ParseOutput(text);
    CHECK(p.problems.empty());
    REQUIRE(p.steps.size() == 6);
    for (int k = 0; k < 6; ++k) {
      CHECK(p.steps[k].number == k + 1);
      CHECK(p.steps[k].title == kTitles[k]);
      CHECK(p.steps[k].text.size() > 100);
    }
    CHECK(p.narrative.size() > 100);
    CHECK(p.answer_labels == w.labels);
    CHECK(FormatReward(text) == 1.0);  // a non-blank think block
    // The evidence parser sees the same six steps, each starting with its header words.
    const Steps st = StepsOf(text);
    REQUIRE(st.size() == 6);
    for (int k = 0; k < 6; ++k) {
      CHECK(st[k].first == k + 1);
      CHECK(st[k].second.rfind(std::string(kTitles[k]) + "**\n", 0) == 0);
    }
    // Its own labels as the ground truth: diagnosis 1.0.
    std::string sol = "<|answer|>";
    for (size_t k = 0; k < w.labels.size(); ++k) sol += (k ? "; " : "") + w.labels[k];
    CHECK(Diag(text, sol + "<|/answer|>") == 1.0);
  }
}

TEST_CASE("model text from interpret --json or raw bytes", "[check]") {
  CHECK(ModelTextFromInput("{\"text\": \"<think>a</think>\", \"tokens\": 3}") == "<think>a</think>");
  CHECK(ModelTextFromInput("  \n{\"text\":\"x\\u0000y\"}") == std::string("x\0y", 3));
  CHECK(ModelTextFromInput("{\"text\":\"a\",\"finish_reason\":\"stop\"}\n") == "a");  // as printed, with a newline
  CHECK(ModelTextFromInput("{\"other\": 1}") == "{\"other\": 1}");
  CHECK(ModelTextFromInput("{\"text\": 5}") == "{\"text\": 5}");
  CHECK(ModelTextFromInput("[\"text\"]") == "[\"text\"]");
  CHECK(ModelTextFromInput("{not json <think>") == "{not json <think>");
  CHECK(ModelTextFromInput("\xFF<think>") == "\xEF\xBF\xBD<think>");
  CHECK(ModelTextFromInput("{\"text\": \"a\", \"text\": \"b\"}") == "{\"text\": \"a\", \"text\": \"b\"}");
  const std::string deep = "{\"a\":" + std::string(100000, '[');
  CHECK(ModelTextFromInput(deep) == deep);
}

TEST_CASE("hostile inputs stay linear and never crash", "[check]") {
  // 10^6 step headers.
  std::string many = "<think>";
  for (int k = 0; k < 1000000; ++k) many += "**Step 1: x\n";
  many += "</think>\n\nN\n\n<answer>A</answer>";
  const ParsedOutput p = ParseOutput(many);
  CHECK(p.step_headers == 1000000);
  CHECK(p.steps.size() == kMaxSteps);
  CHECK(p.problems.size() < 20);
  CHECK(FormatReward(many) == 1.0);
  CHECK(StepsOf(many) == Steps{{1, "x"}});
  CHECK(Evid(many, "step_1_technical_rate_rhythm: x") == 1.0);

  // Headers that swallow each other's "**", headers without numbers, distinct numbers.
  std::string chain = "<think>", nonum = "<think>", distinct = "<think>";
  for (int k = 0; k < 200000; ++k) {
    chain += "**Step 1 ";
    nonum += "**Step ";
    distinct += "**Step " + std::to_string(k) + ":y\n";
  }
  CHECK(StepsOf(chain + "</think>").size() == 1);
  CHECK(StepsOf(nonum + "</think>").empty());
  CHECK(StepsOf(distinct + "</think>").size() == 200000);
  CHECK(ParseOutput(distinct).steps.size() == kMaxSteps);

  // A megabyte-long line, NULs, nested and unclosed tags.
  std::string line = "<think>**Step 1: " + std::string(4 << 20, 'a') + "</think>";
  CHECK(StepsOf(line)[0].second.size() == (4u << 20));
  CHECK(ParseOutput(line).steps.at(0).text.size() == (4u << 20));
  static const char kNul[] = "<think>\0**Step 1: a\0b\0</think>\0<answer>x\0;y</answer>";
  const std::string nul(kNul, sizeof(kNul) - 1);
  const ParsedOutput pn = ParseOutput(nul);
  REQUIRE(pn.steps.size() == 1);
  CHECK(pn.steps[0].text == std::string("a\0b\0", 4));
  CHECK(pn.answer_labels == std::vector<std::string>{std::string("x\0", 2), "y"});
  const ParsedOutput pa = ParseOutput("<answer><answer>a</answer></answer>");
  CHECK(pa.answer_labels == std::vector<std::string>{"<answer>a"});
  std::string nested;
  for (int k = 0; k < 100000; ++k) nested += "<think><answer>";
  CHECK(FormatReward(nested) == 0.0);
  CHECK(ParseOutput(nested).has_think);
  CHECK(Diag(nested, "<|answer|>a<|/answer|>") == 0.0);

  // Hostile solutions.
  std::string keys;
  for (int k = 0; k < 200000; ++k) keys += "step_1_step_1_";
  CHECK(ParseSolutionLenient(keys).evidence.empty());
  std::string entries;
  for (int k = 0; k < 200000; ++k) entries += "step_1_technical_rate_rhythm: a; b\n";
  const Solution se = ParseSolutionLenient(entries);
  REQUIRE(se.evidence.size() == 1);
  CHECK(se.evidence[0].second == std::vector<std::string>{"a", "b"});
  std::string refs = "step_1_x: ";
  for (int k = 0; k < 200000; ++k) refs += "see step_2 ";
  CHECK(ParseSolutionLenient(refs).evidence.size() == 1);
}

}  // namespace ecgr1::test
