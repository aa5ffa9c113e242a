// context.h — negation, uncertainty and their scope in a model output, by the
// ConText algorithm (Harkema, Dowling, Thornblade, Chapman, J Biomed Inform
// 2009; its forerunner NegEx, Chapman et al., J Biomed Inform 2001; the
// categories and directions as pyConText / medspaCy name them). Our own code;
// the trigger table is in context_triggers.cc, one entry per phrase, with the
// source of each category.
//
// The algorithm:
//   1. The text is cut into words and sentences (. ! ? ; newline; a '.' before
//      a digit is a decimal point). ':' also ends a scope.
//   2. Triggers are matched word by word, longest first, so that a pseudo
//      trigger ("no change", "not only") or a longer trigger ("was ruled out",
//      "cannot be excluded") wins over the words it contains. A pseudo trigger
//      modifies nothing: it only hides its words.
//   3. Each negation / uncertainty trigger gets a scope in its direction:
//      forward from its end, backward from its start, or both (the clause of a
//      hedge such as "unreliable"). A scope is limited to the sentence (and
//      to 2000 bytes) and
//      ends at the first termination term in its way: conjunctions ("but",
//      "however", "although", "except", "other than" ...), conclusion phrases
//      that open a clause after a comma ("consistent with", "indicating",
//      "suggestive of", "compatible with", "diagnostic of" ...) and causal or
//      relative connectives ("as",
//      "because", "which" ...). Two clause rules of our own (the model joins
//      clauses with commas): ", and" / ", with" that start a clause end a
//      scope (", and" inside a list "A, B, and C" does not), and a bare "and"
//      followed by a clause of its own (a finite verb within its next words);
//      a backward scope also stops at a ',' or "and" that follows a clause
//      with its own verb ("the rhythm is sinus and delta waves are absent").
//   4. A target [start, end) (a finding found by claims.cc) is negated when a
//      negation trigger's scope reaches it: a forward trigger before the
//      target's end whose scope reaches the target's start; a backward trigger
//      after the target's start whose scope reaches back to it. Likewise
//      uncertain. Triggers inside a given skip span are ignored (the finding
//      "absent P waves" is not the negation of itself).
// Time O(words x longest trigger) to build, O(log n + triggers in the
// sentence) per target; memory O(n).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ecgr1 {

enum class ContextCategory {
  kNegation,     // NegEx "definite negation": the finding is absent
  kUncertainty,  // ConText "possible existence" / hedge: the finding is not asserted
  kPseudo,       // looks like a trigger but is not one ("no change", "not only")
  kTerminate,    // ends a scope; also ends a lead list (claims.cc)
  kConclusion,   // "consistent with", "indicating" ...: a terminate term when it opens a clause
                 // (after a comma: "without X, consistent with Y"); inside a noun phrase
                 // ("without tenting suggestive of hyperkalemia or flattening") it is none
  kConnective,   // causal or relative connective: ends a scope, not a lead list
};
enum class ContextDirection { kForward, kBackward, kBoth, kNone };

struct ContextTrigger {
  const char* phrase;  // lower case, words separated by one space
  ContextCategory category;
  ContextDirection direction;
};

// The table (context_triggers.cc).
const std::vector<ContextTrigger>& ContextTriggerTable();

// A trigger found in the text, with its scope [scope_begin, scope_end).
struct ContextMatch {
  size_t start = 0, end = 0;
  const ContextTrigger* trigger = nullptr;
  size_t scope_begin = 0, scope_end = 0;
};

class ContextScopes {
 public:
  // `low`: the ASCII-lowercased text (same offsets as the original).
  explicit ContextScopes(const std::string& low);

  struct Modifiers {
    const ContextMatch* negation = nullptr;
    const ContextMatch* uncertainty = nullptr;
  };
  // The negation and uncertainty reaching [start, end), ignoring triggers
  // that overlap [skip_b, skip_e).
  Modifiers Of(size_t start, size_t end, size_t skip_b = 0, size_t skip_e = 0) const;

  // First byte of the sentence holding `pos`, and its end (the terminator's
  // offset, or the text's size).
  size_t SentenceStart(size_t pos) const;
  size_t SentenceEnd(size_t pos) const;

  // Boundaries that end a lead list [start, end): termination terms, clause
  // joins and ':' / ';' (not the causal connectives), increasing.
  const std::vector<std::pair<size_t, size_t>>& LeadBreaks() const { return lead_breaks_; }
  const std::vector<ContextMatch>& Matches() const { return matches_; }

 private:
  const std::string& low_;
  std::vector<size_t> sentence_ends_;
  std::vector<ContextMatch> matches_;                    // negation / uncertainty only, by start
  std::vector<std::pair<size_t, size_t>> stops_;         // every scope stop, by start
  std::vector<std::pair<size_t, size_t>> lead_breaks_;
};

}  // namespace ecgr1
