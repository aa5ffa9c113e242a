// context_triggers.cc — the one trigger table of context.h. Phrases are lower
// case, words separated by single spaces; matching is by whole words and the
// longest phrase at a position wins. Sources of the categories:
//   [N] NegEx (Chapman et al. 2001; the 2009 lexicon update): pre-negation
//       ("no", "without", "absence of", "rule out" ...), post-negation ("is
//       absent", "was ruled out", "free", "unlikely"), pseudo-negation ("no
//       change", "not only", "gram negative"), and the termination terms
//       ("but", "however", "although", "except", "aside from", "apart from").
//   [C] ConText (Harkema et al. 2009) and the pyConText / medspaCy default
//       rules: uncertainty ("possible", "probable", "suspicious for", "cannot
//       be excluded"), bidirectional hedges, and conclusion phrases that close a
//       scope ("consistent with", "indicating", "suggestive of", "compatible
//       with", "diagnostic of", "in keeping with").
//   [E] Ours, from ECG-R1's own phrasing (shared/spec/real-outputs, generation.md):
//       relations that contain a negation word ("no more than", "not exceeding":
//       they are relations, claims.cc reads them), criteria wording ("are not
//       fulfilled", "do not meet" is plain "not"), hedges about a criterion's
//       validity ("unreliable", "confounded"), and causal connectives.
#include "check/context.h"

namespace ecgr1 {

namespace {
constexpr ContextCategory N = ContextCategory::kNegation;
constexpr ContextCategory U = ContextCategory::kUncertainty;
constexpr ContextCategory P = ContextCategory::kPseudo;
constexpr ContextCategory T = ContextCategory::kTerminate;
constexpr ContextCategory C = ContextCategory::kConclusion;
constexpr ContextCategory K = ContextCategory::kConnective;
constexpr ContextDirection F = ContextDirection::kForward;
constexpr ContextDirection B = ContextDirection::kBackward;
constexpr ContextDirection X = ContextDirection::kBoth;
constexpr ContextDirection O = ContextDirection::kNone;
}  // namespace

const std::vector<ContextTrigger>& ContextTriggerTable() {
  static const std::vector<ContextTrigger> table = {
      // [N] pre-negation.
      {"no", N, F}, {"not", N, F}, {"without", N, F}, {"absence of", N, F}, {"absent", N, F},
      {"nor", N, F}, {"neither", N, F}, {"never", N, F}, {"none", N, F}, {"free of", N, F},
      {"negative for", N, F}, {"lack of", N, F}, {"lacks", N, F}, {"lack", N, F}, {"lacking", N, F},
      {"rule out", N, F}, {"rules out", N, F}, {"ruled out", N, F}, {"ruling out", N, F},
      {"exclude", N, F}, {"excludes", N, F}, {"excluded", N, F}, {"excluding", N, F},
      {"rather than", N, F}, {"instead of", N, F}, {"fails to", N, F}, {"failed to", N, F},
      {"fail to", N, F}, {"isn't", N, F}, {"aren't", N, F}, {"wasn't", N, F}, {"weren't", N, F},
      {"doesn't", N, F}, {"don't", N, F}, {"didn't", N, F}, {"no evidence of", N, F},
      // [E] a negated conclusion phrase negates what follows (the phrase alone would end the scope).
      {"not indicative of", N, F}, {"not suggestive of", N, F}, {"not consistent with", N, F},
      {"not diagnostic of", N, F}, {"not compatible with", N, F}, {"not characteristic of", N, F},
      {"not typical of", N, F}, {"not in keeping with", N, F}, {"not indicating", N, F},
      // [N] post-negation (the finding comes first).
      {"is absent", N, B}, {"are absent", N, B}, {"was absent", N, B}, {"were absent", N, B},
      {"is ruled out", N, B}, {"are ruled out", N, B}, {"was ruled out", N, B}, {"were ruled out", N, B},
      {"been ruled out", N, B}, {"can be ruled out", N, B}, {"can be excluded", N, B},
      {"is excluded", N, B}, {"are excluded", N, B}, {"was excluded", N, B}, {"were excluded", N, B},
      {"is not seen", N, B}, {"are not seen", N, B}, {"not seen", N, B}, {"is not present", N, B},
      {"are not present", N, B}, {"not present", N, B}, {"not identified", N, B}, {"not observed", N, B},
      {"not noted", N, B}, {"not evident", N, B}, {"not apparent", N, B}, {"not visible", N, B},
      {"not detected", N, B}, {"not demonstrated", N, B}, {"not appreciated", N, B},
      {"are not fulfilled", N, B}, {"is not fulfilled", N, B}, {"not fulfilled", N, B},
      {"are not met", N, B}, {"is not met", N, B}, {"not met", N, B}, {"are not satisfied", N, B},
      {"is not satisfied", N, B}, {"not satisfied", N, B},
      // [N][E] pseudo-negations: a negation word that negates nothing here.
      {"no change", P, O}, {"no significant change", P, O}, {"no interval change", P, O},
      {"no increase", P, O}, {"no decrease", P, O}, {"not only", P, O}, {"not necessarily", P, O},
      {"no further", P, O}, {"gram negative", P, O}, {"without change", P, O}, {"no longer", P, O},
      {"no more than", P, O}, {"not more than", P, O}, {"no less than", P, O}, {"not less than", P, O},
      {"not exceeding", P, O}, {"not greater than", P, O}, {"not longer than", P, O},
      {"not shorter than", P, O}, {"not above", P, O}, {"not below", P, O},
      {"not ruled out", U, B}, {"not excluded", U, B}, {"such as", P, O}, {"as well as", P, O},
      // [C] uncertainty before the finding.
      {"possible", U, F}, {"possibly", U, F}, {"probable", U, F}, {"probably", U, F}, {"likely", U, F},
      {"suspected", U, F}, {"suspicious for", U, F}, {"suspicion of", U, F}, {"suggestive of possible", U, F},
      {"questionable", U, F}, {"equivocal", U, F}, {"uncertain", U, F}, {"consider", U, F},
      {"cannot exclude", U, F}, {"cannot rule out", U, F}, {"can't exclude", U, F}, {"can't rule out", U, F},
      {"could not exclude", U, F}, {"may", U, F}, {"might", U, F}, {"could", U, F}, {"perhaps", U, F},
      {"borderline for", U, F}, {"versus", U, F}, {"vs", U, F},
      // [C] uncertainty after the finding.
      {"cannot be excluded", U, B}, {"cannot be ruled out", U, B}, {"can't be excluded", U, B},
      {"is possible", U, B}, {"is suspected", U, B}, {"is likely", U, B}, {"is unlikely", U, B},
      {"unlikely", U, B}, {"is questionable", U, B},
      // [C][E] hedges that make their whole clause uncertain.
      {"cannot", U, X}, {"can not", U, X}, {"can't", U, X}, {"unreliable", U, X}, {"confounded", U, X},
      {"difficult to", U, X}, {"unable to", U, X}, {"indeterminate", U, X}, {"not reliable", U, X},
      {"not reliably", U, X}, {"limited by", U, X}, {"obscured", U, X}, {"precludes", U, X},
      // [N][C] termination: conjunctions.
      {"but", T, O}, {"however", T, O}, {"although", T, O}, {"though", T, O}, {"whereas", T, O},
      {"while", T, O}, {"yet", T, O}, {"except", T, O}, {"except for", T, O}, {"aside from", T, O},
      {"apart from", T, O}, {"other than", T, O}, {"besides", T, O},
      // [C] termination: conclusion phrases (after a comma: see ContextCategory::kConclusion).
      {"consistent with", C, O}, {"indicating", C, O}, {"indicates", C, O}, {"indicative of", C, O},
      {"suggestive of", C, O}, {"suggesting", C, O}, {"compatible with", C, O}, {"diagnostic of", C, O},
      {"in keeping with", C, O}, {"characteristic of", C, O}, {"typical of", C, O}, {"confirming", C, O},
      {"confirms", C, O}, {"supporting", C, O}, {"supports", C, O}, {"pointing to", C, O},
      {"meeting criteria for", C, O}, {"leading to", C, O}, {"resulting in", C, O}, {"in favor of", C, O},
      {"in favour of", C, O},
      // [E] causal and relative connectives: end a scope, not a lead list.
      {"as", K, O}, {"because", K, O}, {"since", K, O}, {"which", K, O}, {"given", K, O},
      {"due to", K, O}, {"secondary to", K, O}, {"thus", K, O}, {"therefore", K, O}, {"hence", K, O},
  };
  return table;
}

}  // namespace ecgr1
