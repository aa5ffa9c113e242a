// output_structure.h — splits an ECG-R1 output into its protocol parts
// (../shared/spec/generation.md §3): the <think> block with Steps 1-6, the
// narrative paragraph and the <answer> labels, and lists what is missing or
// out of place. It does not judge content (rewards.h scores, claim checking
// comes later) and never fails: any text parses, with problems listed.
//
// Offsets are byte offsets into the text given to ParseOutput (UTF-8), so
// text.substr(start, end - start) is the span. Tags are matched
// case-sensitively, as the model writes them and as the format and diagnosis
// rewards read them. Time and memory are linear in the input; no recursion.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ecgr1 {

struct Step {
  long number = 0;      // n of "**Step n" (saturated at 2^31-1)
  std::string title;    // header words, e.g. "Technical, Rate & Rhythm"
  std::string text;     // the paragraph, trimmed
  size_t header_start = 0;  // offset of "**Step"
  size_t start = 0, end = 0;  // span of `text`
};

struct ParsedOutput {
  bool has_think = false;     // a "<think>" exists
  bool think_closed = false;  // ... followed by "</think>"
  size_t think_start = 0, think_end = 0;  // inside of the think block (to the text's end if unclosed)
  std::vector<Step> steps;    // in order of appearance (at most kMaxSteps kept)
  size_t step_headers = 0;    // all step headers seen, including those not kept
  std::string narrative;      // between </think> and <answer>, trimmed
  size_t narrative_start = 0, narrative_end = 0;
  bool has_answer = false;    // a complete <answer>…</answer>
  size_t answer_start = 0, answer_end = 0;  // inside of the first <answer>…</answer>
  std::vector<std::string> answer_labels;   // split on ';', trimmed, empties dropped
  std::vector<std::string> problems;        // e.g. "step 4 missing", "no </think> (truncated?)"
};

// More step headers than this are counted but not stored (hostile inputs).
constexpr size_t kMaxSteps = 64;

ParsedOutput ParseOutput(const std::string& text);

// The model text inside `bytes`: the string "text" of a JSON object (the
// --json of `ecgr1 interpret`), else the bytes themselves with invalid UTF-8
// replaced by U+FFFD. Never fails.
std::string ModelTextFromInput(const std::string& bytes);

}  // namespace ecgr1
