// rewards.h — the three ECG-R1 RL rewards (format, key-diagnostic evidence,
// diagnosis Jaccard) and the parser of the RL ground-truth `solution` string,
// exactly as ../shared/spec/evidence.md §1-§3 defines them.
//
// The original computes them with Python `re` (str patterns) and str methods;
// here every regular expression is a hand-written, linear, non-recursive scan
// that reproduces the Python match, including its quirks (each one is
// documented next to the scan that reproduces it in rewards.cc). Texts are
// UTF-8 bytes; "whitespace" is Python's str.isspace / re `\s` set and
// case-insensitive matching follows Python's IGNORECASE equivalences for the
// ASCII letters used in the patterns (see MatchNoCase in rewards.cc).
//
// The reward functions never throw: the original maps any exception to 0.0,
// and nothing here can raise one short of std::bad_alloc. Only ParseSolution
// (for a user-supplied solution file) reports bad input through Fail().
//
// Unicode behaviour follows Python 3.11 (Unicode 14.0): `\d` and int() take
// every Nd decimal digit, str.lower() uses the full table (generated into
// rewards.cc). One known deviation: str.lower()'s context-dependent final
// sigma (Σ at a word end lowers to ς in Python, to σ here). Texts should be
// valid UTF-8 (ModelTextFromInput ensures it); invalid bytes match nothing.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecgr1 {

// ---- Python string primitives (exposed for the structure parser and tests).

// Number of bytes of the Python-whitespace code point at s[i], or 0 if there is
// none there (str.isspace: U+0009-000D, U+001C-001F, U+0020, U+0085, U+00A0,
// U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000).
size_t PySpaceAt(std::string_view s, size_t i);

// str.strip() with no arguments, as byte offsets [*b, *e) into s.
void PyStripRange(std::string_view s, size_t* b, size_t* e);
std::string PyStrip(std::string_view s);

// str.lower() (except the final-sigma rule, see above).
std::string PyLower(std::string_view s);

// ---- Ground truth.

struct Solution {
  // `<|answer|>…<|/answer|>` (or `<|\answer|>`), case-sensitive, first pair.
  bool has_answer = false;
  std::string answer;  // raw inside, untrimmed
  // `<|key_diagnostic_evidence|>` section found (else the whole trimmed
  // solution was parsed for entries, as the original does).
  bool has_evidence_section = false;
  // Entries in order of appearance: key (lower-cased) -> phrases (trimmed,
  // non-empty, possibly none). A repeated key keeps its first position and
  // takes the later value (Python dict assignment).
  std::vector<std::pair<std::string, std::vector<std::string>>> evidence;

  // Phrases of `key`, or nullptr if the key is absent.
  const std::vector<std::string>* Find(const std::string& key) const;
};

// Parses a solution string; never fails (missing parts are simply absent).
Solution ParseSolutionLenient(std::string_view text);

// As ParseSolutionLenient, but a solution with neither an answer section nor a
// single evidence entry is bad input: Fail(kBadInput, "<what>: ...").
Solution ParseSolution(const std::string& text, const std::string& what);

// ---- Rewards.

// §1: 1.0 if the first `<think>` (case-sensitive) is followed by a `</think>`
// with non-whitespace between them, else 0.0.
double FormatReward(const std::string& completion);

// One of the six fixed (model step n <-> ground-truth key) pairs of §2.
struct EvidenceStep {
  int step = 0;             // 1..6
  std::string key;          // e.g. "step_1_technical_rate_rhythm"
  bool counted = false;     // key present with >= 1 phrase
  bool step_found = false;  // the model wrote step n
  std::vector<std::string> phrases;
  std::vector<bool> hit;    // per phrase: literal case-insensitive substring of the step text
  double score = 0.0;       // hits / phrases (0 if counted and the step is missing)
};

struct EvidenceReward {
  double reward = 0.0;   // weight × mean score over counted pairs
  double weight = 1.0;
  int counted = 0;       // number of counted pairs
  bool think_found = false;
  int model_steps = 0;   // distinct step numbers the model produced (any n)
  int solution_keys = 0; // distinct keys in the solution
  std::vector<EvidenceStep> steps;  // always the six pairs, in order
};

// The model's steps as §2 parses them: (n, trimmed text), later duplicates
// replacing earlier ones, in order of first appearance. n saturates at
// 2^31-1 for huge numbers (only 1..6 matter). `think_found` reports whether a
// case-insensitive <think>…</think> pair exists.
std::vector<std::pair<long, std::string>> EvidenceSteps(const std::string& completion, bool* think_found);

// §2 with weight `weight` (the original reads EVIDENCE_WEIGHT, default 1.0;
// see EvidenceWeightFromEnv).
EvidenceReward EvidenceRewardOf(const std::string& completion, const Solution& s, double weight = 1.0);

// EVIDENCE_WEIGHT from the environment as a float, 1.0 if unset; a value that
// is not a number is a usage error (Fail(kUsage)).
double EvidenceWeightFromEnv();

// §3: Jaccard of the `;`-separated, trimmed, lower-cased label sets of the
// completion's first <answer>…</answer> and the solution's answer.
double DiagnosisReward(const std::string& completion, const Solution& s);

}  // namespace ecgr1
