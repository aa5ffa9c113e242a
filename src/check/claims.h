// claims.h — extracts the checkable claims of an ECG-R1 output: every
// quantitative or diagnostic statement (rate, intervals, axis, voltages, ST,
// rhythm, blocks, hypertrophy, Q waves, R progression, P/T findings ...), with
// its relation (=, ~, <, >, range, qualitative), value in canonical units,
// leads, negation and the exact span it came from. Extraction only: comparing
// claims with measurements is done elsewhere.
//
// Approach: the text is cut into sentences (., !, ?, ;, newline; a '.' between
// digits is a decimal point) and clauses; keyword patterns (PCRE2, caseless,
// byte mode so any bytes are accepted) find qualitative findings, a hand-written
// scanner finds numbers with units and attaches each to the nearest preceding
// keyword of the same sentence. Negation and uncertainty: the ConText
// algorithm (context.h; triggers, their direction and scope, termination
// terms). A lead list binds to the finding it follows and ends where the
// finding switches ("positive in I and II and negative in aVR": the switched
// finding of the same kind — T/P polarity, ST direction — becomes a claim of
// its own). A number that quotes a threshold ("the cut-off of 35 mm", "under
// the 20 mm limit", "below the threshold of 440 ms") is a criterion mention.
//
// Lead names are canonical: I, II, III, aVR, aVL, aVF, V1..V6, in that order.
// Ranges "V1-V3", "V1 through V3" expand. Group words are used only when no
// explicit lead is named nearby: inferior = II, III, aVF; lateral = I, aVL,
// V5, V6; high lateral = I, aVL; anterior / anteroseptal = V1-V4; septal = V1,
// V2; anterolateral = I, aVL, V3-V6; precordial = V1-V6; limb = I..aVF.
//
// Units: intervals in ms (seconds x 1000), rate in bpm, axis in degrees,
// amplitudes in mV (mm / 10, standard gain 10 mm/mV); unit_original keeps the
// unit as written. A number is attached to the nearest kind keyword of its
// sentence at most 250 bytes before it (QTc, QT, PR, QRS, P/Q/T wave, ST, R/S
// wave, Sokolow, rate, axis); the unit picks the family (s/ms -> intervals,
// mm/mV -> amplitudes, bpm -> rate, degrees -> axis); "25 mm/s" and
// "10 mm/mV" are paper_speed / calibration claims. Ranges of the reference
// kind ("within the normal range of 60-100 bpm") are kept as kRange claims.
// Time is O(n log n) in the input, memory O(n); no recursion.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace ecgr1 {

struct Claim {
  enum Relation { kEquals, kApprox, kLess, kLessEq, kGreater, kGreaterEq, kRange, kQualitative };

  std::string step;       // "1".."6" (the step's number, from its header to the next header),
                          // "answer" (inside <answer>), else "narrative"; step headers
                          // themselves ("Ischemia, Infarction & Mimics") yield no claims
  std::string kind;       // heart_rate, pr, qrs, qt, qtc, axis, rhythm, bundle_branch_block,
                          // fascicular_block, av_block, preexcitation, st, voltage, lvh, rvh,
                          // q_wave, r_progression, p_wave, t_wave, u_wave, qrs_morphology,
                          // infarction, ischemia, electrolyte, paper_speed, calibration
  std::string text;       // == output.substr(start, end - start)
  size_t start = 0, end = 0;
  Relation relation = kQualitative;
  double value = NAN;     // canonical units (ms, bpm, degrees, mV, mm/s, mm/mV)
  double value_hi = NAN;  // upper bound of a kRange, NaN otherwise
  std::string unit;           // canonical unit ("ms", "bpm", "deg", "mV", ...), empty if qualitative
  std::string unit_original;  // as written ("s", "seconds", "mm", ...)
  std::vector<std::string> leads;
  bool negated = false;    // a negation trigger's scope reaches it (context.h)
  bool uncertain = false;  // ... an uncertainty trigger's ("possible", "cannot be excluded", "may")
  std::string modifier;    // the trigger phrase that negates or hedges it, "" when none
  bool criterion = false;  // a quoted threshold ("the Sokolow-Lyon cut-off of 35 mm", "under the
                           // 20 mm limit"): a criterion mention, kept but never judged
  std::string qualifier;  // e.g. "normal", "prolonged", "sinus rhythm", "RBBB", "elevation"
};

const char* RelationName(Claim::Relation r);

// More claims than this are not kept (hostile inputs).
constexpr size_t kMaxClaims = 100000;

std::vector<Claim> ExtractClaims(const std::string& output);

}  // namespace ecgr1
