// verify.cc — see verify.h for the rules. Structure: every claim becomes one
// or more parts; a part is either numeric ("the measured value lies in a set",
// judged with tolerance and dead band) or categorical (a label comparison);
// parts combine with three-valued AND / OR (De Morgan under negation).
#include "check/verify.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "measure/criteria.h"
#include "measure/signal_math.h"

namespace ecgr1 {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool Known(double x) { return std::isfinite(x); }

enum class Tri { kYes, kNo, kUnknown };

// The judgement of a claim or of one of its parts.
struct Judged {
  Tri v = Tri::kUnknown;
  double measured = NAN;
  std::string unit;
  std::string text;  // qualitative measurement
  double tol = NAN;
  std::string why;
};

Judged Unknown(const std::string& why) {
  Judged j;
  j.why = why;
  return j;
}

Judged Flip(Judged j) {
  if (j.v == Tri::kYes) j.v = Tri::kNo;
  else if (j.v == Tri::kNo) j.v = Tri::kYes;
  return j;
}

// Three-valued OR (any) / AND (all). The result carries the deciding part's
// measurement; reasons of agreeing parts are joined.
Judged Combine(const std::vector<Judged>& parts, bool any) {
  if (parts.empty()) return Unknown("nothing to compare");
  if (parts.size() == 1) return parts[0];
  const Tri decisive = any ? Tri::kYes : Tri::kNo;
  const Tri other = any ? Tri::kNo : Tri::kYes;
  for (const Judged& p : parts)
    if (p.v == decisive) return p;
  bool all_other = true;
  for (const Judged& p : parts) all_other = all_other && p.v == other;
  if (all_other) {
    Judged j = parts[0];
    for (size_t i = 1; i < parts.size(); ++i) j.why += "; " + parts[i].why;
    return j;
  }
  for (const Judged& p : parts)
    if (p.v == Tri::kUnknown) return p;
  return parts[0];
}

// ---- formatting ---------------------------------------------------------------

std::string Num(double v, const std::string& unit) {
  if (!Known(v)) return v > 0 ? "inf" : v < 0 ? "-inf" : "n/a";
  char buf[64];
  if (unit == "mV") std::snprintf(buf, sizeof(buf), "%.2f", v);
  else if (unit == "CV") std::snprintf(buf, sizeof(buf), "%.3f", v);
  else std::snprintf(buf, sizeof(buf), "%.0f", v);
  std::string s = buf;
  if (s == "-0") s = "0";
  return s;
}

std::string WithUnit(double v, const std::string& unit) {
  if (unit.empty() || unit == "CV" || unit == "count") return Num(v, unit);
  if (unit == "deg") return Num(v, unit) + " deg";
  return Num(v, unit) + " " + unit;
}

// ---- value sets -----------------------------------------------------------------

struct Range {
  double lo, hi;
};
using Set = std::vector<Range>;  // sorted, disjoint, closed

Set Complement(const Set& s, double dlo, double dhi) {
  Set out;
  double cur = dlo;
  for (const Range& r : s) {
    if (r.lo > cur) out.push_back({cur, r.lo});
    cur = std::max(cur, r.hi);
  }
  if (cur < dhi) out.push_back({cur, dhi});
  return out;
}

std::string SetText(const Set& s, const std::string& unit) {
  if (s.empty()) return "nothing";
  std::string out;
  for (const Range& r : s) {
    if (!out.empty()) out += " or ";
    if (r.lo == r.hi) out += "= " + Num(r.lo, unit);
    else if (!Known(r.lo)) out += "<= " + Num(r.hi, unit);
    else if (!Known(r.hi)) out += ">= " + Num(r.lo, unit);
    else out += Num(r.lo, unit) + ".." + Num(r.hi, unit);
  }
  if (!unit.empty() && unit != "count" && unit != "CV") out += unit == "deg" ? " deg" : " " + unit;
  return out;
}

double AngleDiff(double a, double b) {  // a - b wrapped into (-180, 180]
  double d = std::fmod(a - b, 360.0);
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

double Distance(double m, const Set& s, bool circular) {
  double best = kInf;
  for (const Range& r : s) {
    if (!circular) {
      if (m >= r.lo && m <= r.hi) return 0;
      best = std::min(best, m < r.lo ? r.lo - m : m - r.hi);
    } else {
      for (double shift : {-360.0, 0.0, 360.0}) {
        const double x = m + shift;
        if (x >= r.lo && x <= r.hi) return 0;
        best = std::min(best, x < r.lo ? r.lo - x : x - r.hi);
      }
    }
  }
  return best;
}

// "The measured value lies in `pos`" (or in `neg` when the claim is negated).
struct NumPart {
  std::string what;  // "QRS duration"
  double m = NAN;
  std::string unit;
  double tol = NAN;
  Set pos;
  Set neg;            // the negated claim's set; complement of pos when empty and !neg_given
  bool neg_given = false;
  std::vector<double> cutoffs;
  bool circular = false;
  std::string basis;  // appended to the measured value, e.g. " (Bazett)"
};

Judged JudgeNum(const NumPart& p, bool negated) {
  Judged j;
  j.measured = p.m;
  j.unit = p.unit;
  j.tol = p.tol;
  if (!Known(p.m)) {
    j.why = p.what + " not measured";
    return j;
  }
  Set s = p.pos;
  if (negated) {
    if (p.neg_given) s = p.neg;
    else if (p.circular) s = Complement(p.pos, -180, 180);
    else s = Complement(p.pos, -kInf, kInf);
  }
  const std::string measured = "measured " + p.what + " " + WithUnit(p.m, p.unit) + p.basis;
  const std::string claimed = std::string(negated ? "claim (negated) means " : "claimed ") + SetText(s, p.unit);
  const double d = Distance(p.m, s, p.circular);
  if (d == 0) {
    j.v = Tri::kYes;
    j.why = measured + ", " + claimed;
    return j;
  }
  const bool point = s.size() == 1 && s[0].lo == s[0].hi;  // a stated value: the tolerance is the match
  if (d <= p.tol) {
    j.v = point ? Tri::kYes : Tri::kUnknown;
    j.why = (point ? "" : "borderline: ") + measured + ", " + claimed + ": within the +-" + WithUnit(p.tol, p.unit) +
            " tolerance";
    return j;
  }
  // Dead band: a borderline value near a protocol cut-off that the claim's
  // bound is about (not for a stated value: its tolerance is the whole test).
  for (double c : point ? std::vector<double>() : p.cutoffs) {
    const double dm = p.circular ? std::fabs(AngleDiff(p.m, c)) : std::fabs(p.m - c);
    if (dm > p.tol) continue;
    for (const Range& r : s)
      for (double b : {r.lo, r.hi}) {
        if (!Known(b)) continue;
        const double db = p.circular ? std::fabs(AngleDiff(b, c)) : std::fabs(b - c);
        if (db <= p.tol) {
          j.v = Tri::kUnknown;
          j.why = "borderline: " + measured + " is within +-" + WithUnit(p.tol, p.unit) + " of the cut-off " +
                  WithUnit(c, p.unit) + " (" + claimed + ")";
          return j;
        }
      }
  }
  j.v = Tri::kNo;
  j.why = measured + ", " + claimed + " (tolerance +-" + WithUnit(p.tol, p.unit) + ")";
  return j;
}

Judged Cat(Tri v, const std::string& text, const std::string& why) {
  Judged j;
  j.v = v;
  j.text = text;
  j.why = why;
  return j;
}

// ---- measurements ---------------------------------------------------------------

const std::vector<std::string> kLimb = {"I", "II", "III", "aVR", "aVL", "aVF"};
const std::vector<std::string> kPrecordial = {"V1", "V2", "V3", "V4", "V5", "V6"};

bool IsLimb(const std::string& l) { return std::find(kLimb.begin(), kLimb.end(), l) != kLimb.end(); }

const LeadMeasurements* FindLead(const EcgMeasurements& m, const std::string& name) {
  for (const LeadMeasurements& l : m.leads)
    if (l.canonical == name) return l.quality.usable ? &l : nullptr;
  return nullptr;
}

double LeadAmp(const EcgMeasurements& m, const std::string& lead, double LeadAmplitudes::*field) {
  const LeadMeasurements* l = FindLead(m, lead);
  return l != nullptr ? l->amplitudes.*field : NAN;
}

double HeartRate(const EcgMeasurements& m, std::string* basis) {
  if (m.rr.beats >= 2 && m.rr.heart_rate_bpm > 0 && Known(m.rr.heart_rate_bpm)) {
    *basis = " (from " + std::to_string(m.rr.beats) + " beats)";
    return m.rr.heart_rate_bpm;
  }
  const double d = m.delineation.intervals.heart_rate_bpm;
  if (Known(d) && d > 0) {
    *basis = " (delineation)";
    return d;
  }
  return NAN;
}

double Tolerance(const std::string& kind, const std::string& unit, double measured) {
  if (unit == "bpm") return std::max(3.0, 0.05 * std::fabs(Known(measured) ? measured : 0.0));
  if (unit == "deg") return 15;
  if (unit == "mV") return std::max(0.05, 0.10 * std::fabs(Known(measured) ? measured : 0.0));
  if (unit == "CV") return 0.03;
  if (unit == "ms") return kind == "qt" || kind == "qtc" ? 25 : 10;
  return 0;
}

bool CriteriaKnown(const EcgMeasurements& m) {
  const EcgCriteria& c = m.criteria;
  return Known(c.sokolow_lyon_mv) || Known(c.r_avl_mv) || Known(c.r_i_mv) || Known(c.cornell_mv) ||
         !c.r_progression.empty() || !c.bundle_branch_block.empty() || !c.pathological_q_leads.empty();
}

bool BeatClassesKnown(const EcgMeasurements& m) {
  for (const BeatInfo& b : m.beats)
    if (b.label == 'N' || b.label == 'S' || b.label == 'V') return true;
  return false;
}

bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }


// ---- the claim being judged ----------------------------------------------------------

enum class RangeReading { kInside, kAbove, kBelow, kOutside };

struct Ctx {
  const Claim& c;
  const EcgMeasurements& m;
  RangeReading range = RangeReading::kInside;
  bool atrial_rate = false;
};

// The claim's own numeric set (relation + value), or false when it has none.
bool ClaimSet(const Ctx& x, bool circular, Set* s) {
  const Claim& c = x.c;
  if (c.relation == Claim::kQualitative || !Known(c.value)) return false;
  const double lo_dom = circular ? -180 : -kInf, hi_dom = circular ? 180 : kInf;
  const double v = c.value;
  switch (c.relation) {
    case Claim::kEquals:
    case Claim::kApprox: *s = {{v, v}}; return true;
    case Claim::kLess:
    case Claim::kLessEq: *s = {{lo_dom, v}}; return true;
    case Claim::kGreater:
    case Claim::kGreaterEq: *s = {{v, hi_dom}}; return true;
    case Claim::kRange: {
      if (!Known(c.value_hi)) return false;
      const double lo = std::min(v, c.value_hi), hi = std::max(v, c.value_hi);
      switch (x.range) {
        case RangeReading::kInside: *s = {{lo, hi}}; break;
        case RangeReading::kAbove: *s = {{hi, hi_dom}}; break;
        case RangeReading::kBelow: *s = {{lo_dom, lo}}; break;
        case RangeReading::kOutside: *s = Complement({{lo, hi}}, lo_dom, hi_dom); break;
      }
      return true;
    }
    default: return false;
  }
}

// A numeric claim against one measured value.
Judged NumericClaim(const Ctx& x, NumPart p) {
  if (x.c.negated && (x.c.relation == Claim::kEquals || x.c.relation == Claim::kApprox))
    return Unknown("a negated stated value is ambiguous (\"no ... " + WithUnit(x.c.value, x.c.unit) + "\")");
  if (!ClaimSet(x, p.circular, &p.pos)) return Unknown("no value to compare");
  return JudgeNum(p, x.c.negated);
}

// A quantity with two readings in use (rate by mean or dominant RR, QRS by
// global or lead-span boundaries): when they differ by more than the
// tolerance, either may support the claim; it is contradicted only when both
// do. `alt` NaN: the one reading.
Judged EitherReading(const Ctx& x, NumPart p, double alt, const char* alt_basis) {
  auto judge = [&x](const NumPart& q) {
    return x.c.relation != Claim::kQualitative ? NumericClaim(x, q) : JudgeNum(q, x.c.negated);
  };
  const Judged a = judge(p);
  if (!Known(alt) || !Known(p.m) || std::fabs(alt - p.m) <= p.tol) return a;
  p.m = alt;
  p.basis = alt_basis;
  p.tol = Tolerance(x.c.kind, p.unit, alt);
  return Combine({a, judge(p)}, true);
}

// ---- per-kind judges -------------------------------------------------------------------

Judged HeartRateClaim(const Ctx& x) {
  if (x.atrial_rate) return Unknown("an atrial rate is not measured (only the ventricular rate)");
  NumPart p;
  p.what = "heart rate";
  p.m = HeartRate(x.m, &p.basis);
  p.unit = "bpm";
  p.tol = Tolerance("heart_rate", "bpm", p.m);
  p.cutoffs = {60, 100};
  // With ectopic beats or pauses the rate has two readings in use: beats per
  // minute over the record (mean RR) and the dominant rhythm's rate (median RR
  // of the dominant beats).
  return EitherReading(x, p, x.m.rhythm.heart_rate_bpm, " (dominant beats' median RR)");
}

NumPart RatePart(const EcgMeasurements& m, Set pos) {
  NumPart p;
  p.what = "heart rate";
  p.m = HeartRate(m, &p.basis);
  p.unit = "bpm";
  p.tol = Tolerance("heart_rate", "bpm", p.m);
  p.pos = std::move(pos);
  p.cutoffs = {60, 100};
  return p;
}

struct Interval {
  const char* what;
  double m;
  std::vector<double> cutoffs;
};

Interval IntervalOf(const EcgMeasurements& m, const std::string& kind) {
  const EcgIntervals& iv = m.delineation.intervals;
  if (kind == "pr") return {"PR interval", iv.pr_ms, {120, 200}};
  if (kind == "qrs") return {"QRS duration", iv.qrs_ms, {100, 120}};
  return {"QT interval", iv.qt_ms, {}};
}

// Protocol sets of qualitative interval findings (generation.md §4.1).
bool QualitativeIntervalSet(const std::string& kind, const std::string& q, Set* s) {
  if (kind == "pr") {
    if (q == "normal") *s = {{120, 200}};
    else if (q == "prolonged") *s = {{200, kInf}};
    else if (q == "short") *s = {{-kInf, 120}};
    else return false;
    return true;
  }
  if (kind == "qrs") {
    if (q == "normal") *s = {{-kInf, 100}};
    else if (q == "narrow") *s = {{-kInf, 120}};
    else if (q == "wide") *s = {{120, kInf}};
    else if (q == "prolonged") *s = {{100, kInf}};
    else if (q == "borderline") *s = {{100, 120}};
    else return false;
    return true;
  }
  return false;
}

NumPart QrsPart(const EcgMeasurements& m, Set pos) {
  NumPart p;
  p.what = "QRS duration";
  p.m = m.delineation.intervals.qrs_ms;
  p.unit = "ms";
  p.tol = 10;
  p.pos = std::move(pos);
  p.cutoffs = {100, 120};
  return p;
}

NumPart PrPart(const EcgMeasurements& m, Set pos) {
  NumPart p;
  p.what = "PR interval";
  p.m = m.delineation.intervals.pr_ms;
  p.unit = "ms";
  p.tol = 10;
  p.pos = std::move(pos);
  p.cutoffs = {120, 200};
  return p;
}

Judged IntervalClaim(const Ctx& x) {
  const Claim& c = x.c;
  const Interval iv = IntervalOf(x.m, c.kind);
  NumPart p;
  p.what = iv.what;
  p.m = iv.m;
  p.unit = "ms";
  p.tol = Tolerance(c.kind, "ms", iv.m);
  p.cutoffs = iv.cutoffs;
  // The QRS duration depends on its definition: the global multi-lead value
  // (tight, GE-12SL-like) or the span of the leads' own boundaries (CSE-style,
  // wider).
  const double span = c.kind == "qrs" ? x.m.delineation.qrs_lead_span_ms : NAN;
  auto judge = [&](const NumPart& q) { return EitherReading(x, q, span, " (span of the leads' own QRS boundaries)"); };
  if (c.relation != Claim::kQualitative) return judge(p);
  if (c.kind == "qt")
    return Unknown("the protocol's QT cut-off is for the rate-corrected QTc; \"QT " + c.qualifier + "\" is not judged");
  if (!QualitativeIntervalSet(c.kind, c.qualifier, &p.pos))
    return Unknown("\"" + c.qualifier + "\" has no protocol cut-off for the " + std::string(iv.what));
  return judge(p);
}

Judged QtcClaim(const Ctx& x) {
  const Claim& c = x.c;
  const EcgIntervals& iv = x.m.delineation.intervals;
  Set pos;
  bool have = false;
  if (c.relation != Claim::kQualitative) {
    if (c.negated && (c.relation == Claim::kEquals || c.relation == Claim::kApprox))
      return Unknown("a negated stated value is ambiguous");
    have = ClaimSet(x, false, &pos);
  } else {
    const std::string& q = c.qualifier;
    have = true;
    if (q == "normal") pos = {{-kInf, 460}};
    else if (q == "prolonged") pos = {{440, kInf}};
    else if (q == "borderline") pos = {{430, 470}};
    else if (q == "short") pos = {{-kInf, 360}};
    else have = false;
    if (!have) return Unknown("\"" + q + "\" has no protocol cut-off for the QTc");
  }
  if (!have) return Unknown("no value to compare");
  std::vector<Judged> js;
  for (int k = 0; k < 2; ++k) {
    NumPart p;
    p.what = "QTc";
    p.m = k == 0 ? iv.qtc_bazett_ms : iv.qtc_fridericia_ms;
    p.basis = k == 0 ? " (Bazett)" : " (Fridericia)";
    p.unit = "ms";
    p.tol = 25;
    p.pos = pos;
    p.cutoffs = {440, 460};
    if (Known(p.m)) js.push_back(JudgeNum(p, c.negated));
  }
  if (js.empty()) return Unknown("QTc not measured");
  return Combine(js, true);  // either formula may support it
}

// Axis: circular sets on (-180, 180].
bool AxisClassSet(const std::string& q, Set* s) {
  if (q == "normal") *s = {{-30, 90}};
  else if (q == "left axis deviation") *s = {{-90, -30}};
  else if (q == "right axis deviation") *s = {{90, 180}};
  else if (q == "extreme axis deviation") *s = {{-180, -90}};
  else if (q == "deviated") *s = {{-180, -30}, {90, 180}};
  else return false;
  return true;
}

std::string AxisClassName(const std::string& q) {
  if (q == "left axis deviation") return "left";
  if (q == "right axis deviation") return "right";
  if (q == "extreme axis deviation") return "extreme";
  return q;
}

NumPart AxisPart(const EcgMeasurements& m, Set pos) {
  NumPart p;
  p.what = "QRS axis";
  p.m = m.axes.qrs_deg;
  p.unit = "deg";
  p.tol = 15;
  p.pos = std::move(pos);
  p.circular = true;
  p.cutoffs = {-30, 90, -90, 180};
  return p;
}

Judged AxisClaim(const Ctx& x) {
  const Claim& c = x.c;
  NumPart p = AxisPart(x.m, {});
  if (c.relation != Claim::kQualitative) return NumericClaim(x, p);
  if (!AxisClassSet(c.qualifier, &p.pos)) return Unknown("axis \"" + c.qualifier + "\" is not judged");
  if (Known(p.m)) return JudgeNum(p, c.negated);
  const std::string& cls = x.m.axes.qrs_class;
  if (cls.empty()) return Unknown("QRS axis not measured");
  const std::string want = AxisClassName(c.qualifier);
  const bool match = want == "deviated" ? cls != "normal" : cls == want;
  Judged j = Cat(match ? Tri::kYes : Tri::kNo, cls, "measured axis class \"" + cls + "\"");
  return c.negated ? Flip(j) : j;
}

// Rhythm.
Judged SinusPart(const EcgMeasurements& m) {
  const std::string& l = m.rhythm.label;
  if (l.empty()) return Unknown("rhythm not classified");
  const std::string why = "measured rhythm \"" + l + "\"";
  if (StartsWith(l, "sinus")) return Cat(Tri::kYes, l, why);
  if (l == "atrial fibrillation" || l == "regular rhythm without P waves") return Cat(Tri::kNo, l, why);
  Judged j = Cat(Tri::kUnknown, l, why + " (sinus or not cannot be told)");
  return j;
}

NumPart RegularityPart(const EcgMeasurements& m, Set pos) {
  NumPart p;
  p.what = "RR coefficient of variation";
  p.m = m.rr.beats >= 3 ? m.rr.rr_cv : NAN;
  p.unit = "CV";
  p.tol = 0.03;
  p.pos = std::move(pos);
  p.cutoffs = {0.10};
  return p;
}

Judged RhythmClaim(const Ctx& x) {
  const Claim& c = x.c;
  const EcgMeasurements& m = x.m;
  const std::string& q = c.qualifier;
  const bool neg = c.negated;
  const std::string& label = m.rhythm.label;
  // Composite findings: AND of the parts, OR of the negated parts (De Morgan);
  // each part below is already judged with the claim's negation.
  auto with_neg = [neg](std::vector<Judged> parts) { return Combine(parts, neg); };
  if (q == "sinus rhythm") {
    Judged j = SinusPart(m);
    return neg ? Flip(j) : j;
  }
  if (q == "sinus bradycardia" || q == "sinus tachycardia") {
    Judged s = SinusPart(m);
    if (neg) s = Flip(s);
    const Set rate = q == "sinus bradycardia" ? Set{{-kInf, 60}} : Set{{100, kInf}};
    return with_neg({s, JudgeNum(RatePart(m, rate), neg)});
  }
  if (q == "sinus arrhythmia") {
    Judged s = SinusPart(m);
    if (neg) s = Flip(s);
    return with_neg({s, JudgeNum(RegularityPart(m, {{0.10, kInf}}), neg)});
  }
  if (q == "regular" || q == "irregular" || q == "irregularly irregular") {
    const Set s = q == "regular" ? Set{{0, 0.10}} : Set{{0.10, kInf}};
    return JudgeNum(RegularityPart(m, s), neg);
  }
  if (q == "atrial fibrillation") {
    Judged j;
    if (label == "atrial fibrillation") j = Cat(Tri::kYes, label, "measured rhythm \"" + label + "\"");
    else if (StartsWith(label, "sinus")) j = Cat(Tri::kNo, label, "measured rhythm \"" + label + "\"");
    else {
      NumPart reg = RegularityPart(m, {{0.10, kInf}});  // AF is irregular
      j = JudgeNum(reg, false);
      if (j.v == Tri::kYes) j = Unknown(j.why + "; irregular RR alone does not make atrial fibrillation");
      if (!label.empty()) j.text = label;
    }
    return neg ? Flip(j) : j;
  }
  if (q == "atrial flutter" || q == "junctional rhythm" || q == "junctional escape rhythm" ||
      q == "ectopic atrial rhythm" || q == "ectopic atrial tachycardia" || q == "ventricular rhythm" ||
      q == "ventricular escape rhythm" || q == "junctional tachycardia") {
    Judged j = SinusPart(m);
    if (j.v == Tri::kYes) j.v = Tri::kNo;
    else j = Unknown(j.why.empty() ? "rhythm not classified" : j.why + ": \"" + q + "\" is not measured");
    return neg ? Flip(j) : j;
  }
  if (q == "supraventricular tachycardia" || q == "ventricular tachycardia") {
    Judged s = SinusPart(m);
    if (s.v == Tri::kYes) s.v = Tri::kNo;
    else if (s.v == Tri::kNo) s.v = Tri::kUnknown;  // not sinus: still not necessarily this one
    if (neg) s = Flip(s);
    std::vector<Judged> parts = {s, JudgeNum(RatePart(m, {{100, kInf}}), neg)};
    if (q == "ventricular tachycardia") parts.push_back(JudgeNum(QrsPart(m, {{120, kInf}}), neg));
    return with_neg(parts);
  }
  if (StartsWith(q, "premature") || q == "ectopic beats") {
    if (!BeatClassesKnown(m)) return Unknown("beats not classified");
    int s = 0, v = 0;
    for (const BeatInfo& b : m.beats) {
      s += b.label == 'S';
      v += b.label == 'V';
    }
    int n = q == "premature ventricular complexes" ? v : q == "ectopic beats" ? s + v : s;
    // No beat classified premature while the RR varies: the classifier may
    // have missed them, so their absence is no evidence.
    if (n == 0 && !neg && Known(m.rr.rr_cv) && m.rr.rr_cv > 0.1)
      return Unknown("no premature beat classified, but the RR varies (coefficient of variation " +
                     Num(m.rr.rr_cv, "CV") + "): premature beats cannot be excluded");
    const std::string what = q == "premature ventricular complexes" ? "ventricular premature beats"
                             : q == "ectopic beats"                 ? "premature beats"
                                                                    : "supraventricular premature beats";
    Judged j = Cat(n > 0 ? Tri::kYes : Tri::kNo, "", "measured " + std::to_string(n) + " " + what + " in " +
                                                         std::to_string(m.beats.size()) + " beats");
    j.measured = n;
    j.unit = "count";
    return neg ? Flip(j) : j;
  }
  if (q == "paced") return Unknown("pacing spikes are not detected by the measurement");
  return Unknown("rhythm \"" + q + "\" is not measured");
}

// Bundle-branch blocks: QRS width and (when computed) the criteria's morphology.
Judged MorphologyPart(const EcgMeasurements& m, const std::string& want) {
  if (!CriteriaKnown(m)) return Unknown("QRS morphology (bundle-branch criteria) not measured");
  const std::string& l = m.criteria.bundle_branch_block;
  const std::string shown = l.empty() ? "none" : l;
  const std::string why = "measured conduction pattern \"" + shown + "\"";
  if (want == "any complete") {
    if (l == "RBBB" || l == "LBBB") return Cat(Tri::kYes, shown, why);
    return Cat(Tri::kNo, shown, why);
  }
  if (want == "IVCD") {
    if (l == "IVCD") return Cat(Tri::kYes, shown, why);
    if (l == "RBBB" || l == "LBBB") return Cat(Tri::kNo, shown, why);
    return Cat(Tri::kUnknown, shown, why);
  }
  if (l == want) return Cat(Tri::kYes, shown, why);
  if (l == "RBBB" || l == "LBBB" || l == "incomplete RBBB" || l == "incomplete LBBB") return Cat(Tri::kNo, shown, why);
  if (StartsWith(want, "incomplete")) return Cat(Tri::kUnknown, shown, why);
  return Cat(Tri::kNo, shown, why);
}

Judged BundleBranchClaim(const Ctx& x) {
  const Claim& c = x.c;
  const bool neg = c.negated;
  const std::string& q = c.qualifier;
  Set width;
  std::string want;
  if (q == "RBBB" || q == "LBBB") width = {{120, kInf}}, want = q;
  else if (q == "incomplete RBBB" || q == "incomplete LBBB") width = {{100, 120}}, want = q;
  else if (q == "BBB") width = {{120, kInf}}, want = "any complete";
  else if (q == "IVCD") width = {{110, kInf}}, want = "IVCD";
  else return Unknown("\"" + q + "\" is not judged");
  Judged morph = MorphologyPart(x.m, want);
  if (neg) morph = Flip(morph);
  Judged j = Combine({JudgeNum(QrsPart(x.m, width), neg), morph}, neg);
  // "Nonspecific" conduction delay is also labelled for QRS shape (notching,
  // fragmentation) without a wide QRS: a narrow QRS does not contradict it.
  if (q == "IVCD" && !neg && j.v == Tri::kNo)
    j = Unknown("a nonspecific intraventricular conduction delay may lie in the QRS shape, which is not measured (" +
                j.why + ")");
  return j;
}

Judged FascicularClaim(const Ctx& x) {
  const Claim& c = x.c;
  if (c.qualifier == "LAFB") return JudgeNum(AxisPart(x.m, {{-90, -45}}), c.negated);
  // LPFB: right axis is necessary, not sufficient.
  Judged rest = Unknown("the other criteria of left posterior fascicular block are not measured");
  return Combine({JudgeNum(AxisPart(x.m, {{90, 180}}), c.negated), rest}, c.negated);
}

Judged AvBlockClaim(const Ctx& x) {
  const Claim& c = x.c;
  const bool neg = c.negated;
  if (c.qualifier == "first degree AV block") return JudgeNum(PrPart(x.m, {{200, kInf}}), neg);
  // A generic or higher-degree block.
  Judged first = JudgeNum(PrPart(x.m, {{200, kInf}}), neg);
  if (!neg) {
    if (c.qualifier == "AV block") return Combine({first, Unknown("second/third-degree block is not measured")}, true);
    return Unknown("\"" + c.qualifier + "\" is not measured (no P-to-QRS relation per beat)");
  }
  // Negated: no first-degree (PR), and 1:1 sinus conduction with regular RR.
  // A non-sinus or irregular rhythm is no evidence of a block: those parts can
  // only support the claim, never contradict it.
  Judged sinus = SinusPart(x.m);
  Judged regular = JudgeNum(RegularityPart(x.m, {{0, 0.10}}), false);
  for (Judged* j : {&sinus, &regular})
    if (j->v == Tri::kNo) j->v = Tri::kUnknown, j->why += " (does not tell an AV block)";
  if (c.qualifier == "AV block") return Combine({first, sinus, regular}, false);
  return Combine({sinus, regular}, false);
}

Judged PreexcitationClaim(const Ctx& x) {
  const bool neg = x.c.negated;
  Judged pr = JudgeNum(PrPart(x.m, {{-kInf, 120}}), neg);
  Judged delta = Unknown("delta waves are not measured");
  return Combine({pr, delta}, neg);
}

// ---- amplitudes ------------------------------------------------------------------------


double SokolowMv(const EcgMeasurements& m) {
  if (Known(m.criteria.sokolow_lyon_mv)) return m.criteria.sokolow_lyon_mv;
  const double s1 = LeadAmp(m, "V1", &LeadAmplitudes::s_mv);
  const double r5 = LeadAmp(m, "V5", &LeadAmplitudes::r_mv), r6 = LeadAmp(m, "V6", &LeadAmplitudes::r_mv);
  if (!Known(s1) || !(Known(r5) || Known(r6))) return NAN;
  return std::fabs(s1) + std::max(Known(r5) ? r5 : -kInf, Known(r6) ? r6 : -kInf);
}

double RaVLMv(const EcgMeasurements& m) {
  return Known(m.criteria.r_avl_mv) ? m.criteria.r_avl_mv : LeadAmp(m, "aVL", &LeadAmplitudes::r_mv);
}

double RIMv(const EcgMeasurements& m) {
  return Known(m.criteria.r_i_mv) ? m.criteria.r_i_mv : LeadAmp(m, "I", &LeadAmplitudes::r_mv);
}

double CornellMv(const EcgMeasurements& m) {
  if (Known(m.criteria.cornell_mv)) return m.criteria.cornell_mv;
  const double r = RaVLMv(m), s3 = LeadAmp(m, "V3", &LeadAmplitudes::s_mv);
  return Known(r) && Known(s3) ? r + std::fabs(s3) : NAN;
}

NumPart AmpPart(const std::string& what, double v, Set pos) {
  NumPart p;
  p.what = what;
  p.m = v;
  p.unit = "mV";
  p.tol = Tolerance("", "mV", v);
  p.pos = std::move(pos);
  return p;
}

std::vector<Judged> LvhParts(const EcgMeasurements& m, bool neg) {
  NumPart sok = AmpPart("Sokolow-Lyon (S V1 + R V5/V6)", SokolowMv(m), {{3.5, kInf}});
  sok.cutoffs = {3.5};
  NumPart avl = AmpPart("R in aVL", RaVLMv(m), {{1.1, kInf}});
  avl.cutoffs = {1.1};
  NumPart ri = AmpPart("R in I", RIMv(m), {{1.5, kInf}});
  ri.cutoffs = {1.5};
  // Cornell: 2.0 mV (women) .. 2.8 mV (men); the sex is unknown.
  NumPart cor = AmpPart("Cornell (R aVL + S V3)", CornellMv(m), {{2.0, kInf}});
  cor.neg = {{-kInf, 2.8}};
  cor.neg_given = true;
  return {JudgeNum(sok, neg), JudgeNum(avl, neg), JudgeNum(ri, neg), JudgeNum(cor, neg)};
}

// The largest QRS peak-to-peak of a lead group; `missing` counts unmeasured leads.
double GroupMaxPp(const EcgMeasurements& m, const std::vector<std::string>& leads, int* missing) {
  double best = NAN;
  *missing = 0;
  for (const std::string& l : leads) {
    const double v = LeadAmp(m, l, &LeadAmplitudes::qrs_pp_mv);
    if (!Known(v)) {
      ++*missing;
      continue;
    }
    best = Known(best) ? std::max(best, v) : v;
  }
  return best;
}

// "Low voltage" in a group: every lead's QRS peak-to-peak below `thr`.
Judged LowVoltagePart(const EcgMeasurements& m, bool limb, bool neg) {
  int missing = 0;
  const double v = GroupMaxPp(m, limb ? kLimb : kPrecordial, &missing);
  const double thr = limb ? 0.5 : 1.0;
  NumPart p = AmpPart(std::string("largest ") + (limb ? "limb" : "precordial") + "-lead QRS amplitude", v,
                      {{-kInf, thr}});
  p.cutoffs = {thr};
  Judged j = JudgeNum(p, neg);
  // With leads missing the largest amplitude may be larger: only a "not low" finding stands.
  const bool says_low = (j.v == Tri::kYes) != neg;
  if (missing > 0 && Known(v) && says_low && j.v != Tri::kUnknown)
    j = Unknown(std::to_string(missing) + " lead(s) of the group not measured");
  return j;
}

Judged VoltageClaim(const Ctx& x) {
  const Claim& c = x.c;
  const EcgMeasurements& m = x.m;
  const bool neg = c.negated;
  const std::string q = AsciiLower(c.qualifier);
  bool has_limb = false, has_prec = false;
  for (const std::string& l : c.leads) (IsLimb(l) ? has_limb : has_prec) = true;
  if (c.relation == Claim::kQualitative) {
    if (q == "sokolow-lyon") {
      NumPart p = AmpPart("Sokolow-Lyon (S V1 + R V5/V6)", SokolowMv(m), {{3.5, kInf}});
      p.cutoffs = {3.5};
      return JudgeNum(p, neg);
    }
    if (q == "cornell") {
      NumPart p = AmpPart("Cornell (R aVL + S V3)", CornellMv(m), {{2.0, kInf}});
      p.neg = {{-kInf, 2.8}};
      p.neg_given = true;
      return JudgeNum(p, neg);
    }
    if (q == "low voltage") {
      std::vector<Judged> parts;
      if (has_limb || !has_prec) parts.push_back(LowVoltagePart(m, true, neg));
      if (has_prec || !has_limb) parts.push_back(LowVoltagePart(m, false, neg));
      return Combine(parts, !neg);
    }
    if (q == "normal") {  // neither low voltage nor LVH voltage
      std::vector<Judged> parts = {LowVoltagePart(m, true, !neg), LowVoltagePart(m, false, !neg)};
      for (const Judged& j : LvhParts(m, !neg)) parts.push_back(j);
      return Combine(parts, neg);
    }
    return Unknown("voltage finding \"" + c.qualifier + "\" is not judged");
  }
  // A number: which amplitude?
  std::vector<std::string> L = c.leads;
  auto has = [&](const char* l) { return std::find(L.begin(), L.end(), l) != L.end(); };
  NumPart p;
  if (StartsWith(q, "sokolow") || (L.size() == 3 && has("V1") && has("V5") && has("V6"))) {
    p = AmpPart("Sokolow-Lyon (S V1 + R V5/V6)", SokolowMv(m), {});
    p.cutoffs = {3.5};
  } else if (q == "cornell") {
    p = AmpPart("Cornell (R aVL + S V3)", CornellMv(m), {});
  } else if (L.size() == 2 && has("V1") && (has("V5") || has("V6"))) {
    const char* r = has("V5") ? "V5" : "V6";
    const double s1 = LeadAmp(m, "V1", &LeadAmplitudes::s_mv), rr = LeadAmp(m, r, &LeadAmplitudes::r_mv);
    p = AmpPart(std::string("S V1 + R ") + r, Known(s1) && Known(rr) ? std::fabs(s1) + rr : NAN, {});
    p.cutoffs = {3.5};
  } else if (L.size() == 1) {
    const std::string& l = L[0];
    const bool s_wave = StartsWith(q, "s wave") || StartsWith(q, "s waves") || q == "sv1";
    const bool r_wave = StartsWith(q, "r wave") || q == "r in" || q == "rv5" || q == "rv6";
    if (r_wave) {
      const double v = l == "aVL" ? RaVLMv(m) : l == "I" ? RIMv(m) : LeadAmp(m, l, &LeadAmplitudes::r_mv);
      p = AmpPart("R in " + l, v, {});
      if (l == "aVL") p.cutoffs = {1.1};
      if (l == "I") p.cutoffs = {1.5};
    } else if (s_wave) {
      const double v = LeadAmp(m, l, &LeadAmplitudes::s_mv);
      p = AmpPart("S in " + l, Known(v) ? std::fabs(v) : NAN, {});
    } else {
      p = AmpPart("QRS peak-to-peak in " + l, LeadAmp(m, l, &LeadAmplitudes::qrs_pp_mv), {});
    }
  } else if (L.size() >= 3 && (q == "voltage" || q == "amplitude") && c.relation != Claim::kEquals &&
             c.relation != Claim::kApprox && c.relation != Claim::kRange) {
    // "QRS amplitudes are less than 5 mm in the limb leads": every lead -> the extreme one.
    const bool less = c.relation == Claim::kLess || c.relation == Claim::kLessEq;
    double v = NAN;
    int missing = 0;
    for (const std::string& l : L) {
      const double a = LeadAmp(m, l, &LeadAmplitudes::qrs_pp_mv);
      if (!Known(a)) {
        ++missing;
        continue;
      }
      v = !Known(v) ? a : less ? std::max(v, a) : std::min(v, a);
    }
    if (missing > 0) return Unknown(std::to_string(missing) + " of the named leads not measured");
    p = AmpPart(std::string(less ? "largest" : "smallest") + " QRS peak-to-peak of the named leads", v, {});
  } else {
    return Unknown("which amplitude the number refers to is unclear");
  }
  return NumericClaim(x, p);
}

Judged LvhClaim(const Ctx& x) {
  const Claim& c = x.c;
  const bool neg = c.negated;
  std::vector<Judged> parts = LvhParts(x.m, neg);
  Judged lvh = Combine(parts, !neg);
  // "No LVH" is a diagnosis, which voltage alone does not make (young, thin
  // subjects meet voltage criteria without hypertrophy): met voltage criteria
  // contradict only a claim about the voltage criteria themselves.
  if (neg && lvh.v == Tri::kNo && c.qualifier != "voltage criteria")
    return Unknown("LVH voltage criteria are met, but voltage alone does not make the diagnosis (" + lvh.why + ")");
  if (c.qualifier == "hypertrophy") {  // any chamber: RVH and atria are not measured
    Judged rest = Unknown("right ventricular hypertrophy is not measured");
    return Combine({lvh, rest}, !neg);
  }
  return lvh;
}

// ---- per-lead findings ----------------------------------------------------------------

struct LeadVal {
  std::string lead;
  double g = NAN;      // margin: >= 0 meets the finding; NaN = not measured
  double tol = 0.05;
  double value = NAN;  // shown
  bool ambiguous = false;  // neither meets nor fails: blocks both verdicts
};

// "The finding holds in at least k of the leads" (negated: in fewer than k),
// with the tolerance as slack in the claim's favour.
Judged AtLeastK(const std::vector<LeadVal>& vals, size_t k, bool neg, const std::string& what,
                const std::string& unit) {
  if (vals.empty()) return Unknown("no leads to judge");
  size_t meets = 0, slack = 0, clear = 0, unknown = 0;
  std::string text;
  double extreme = NAN, best_g = -kInf;
  for (const LeadVal& v : vals) {
    if (!Known(v.g)) {
      ++unknown;
      continue;
    }
    if (v.ambiguous) {
      ++slack;  // may meet: no contradiction of a positive claim
      if (neg) ++meets;  // may meet: no support of a negated one
    } else {
      if (v.g >= 0) ++meets;
      if (v.g >= -v.tol) ++slack;
      if (v.g > v.tol) ++clear;
    }
    if (!text.empty()) text += ", ";
    text += v.lead + " " + (unit.empty() ? Num(v.value, "") : WithUnit(v.value, unit));
    if (v.g > best_g) best_g = v.g, extreme = v.value;
  }
  Judged j;
  j.text = text;
  j.measured = extreme;
  j.unit = unit;
  j.tol = unit == "mV" ? Tolerance("", "mV", extreme) : NAN;
  if (unknown == vals.size()) {
    j.why = what + ": not measured in the named leads";
    return j;
  }
  const std::string need = k >= vals.size() && vals.size() > 1 ? "all " + std::to_string(vals.size()) + " named leads"
                                                                 : std::to_string(k) + " of " +
                                                                       std::to_string(vals.size()) + " named leads";
  const std::string measured = "measured " + text;
  // Supported only when the finding clearly holds (or clearly does not, when
  // negated); a lead within the tolerance of its threshold can only make the
  // verdict unverifiable.
  const std::string missing = unknown > 0 ? std::to_string(unknown) + " named lead(s) not measured; " : "";
  if (!neg) {
    if (meets >= k) j.v = Tri::kYes, j.why = what + " in " + need + " (" + measured + ")";
    else if (slack + unknown < k) j.v = Tri::kNo, j.why = what + " needs " + need + ": " + measured;
    else j.why = "borderline or incomplete: " + missing + what + " needs " + need + " (" + measured + ")";
  } else {
    if (clear >= k) j.v = Tri::kNo, j.why = what + " present in " + std::to_string(clear) + " lead(s) (" + measured + ")";
    else if (meets + unknown < k) j.v = Tri::kYes, j.why = "no " + what + " (" + measured + ")";
    else j.why = "borderline or incomplete: " + missing + what + " (" + measured + ")";
  }
  return j;
}

std::vector<std::string> LeadsOr(const Claim& c, std::vector<std::string> def) {
  return c.leads.empty() ? def : c.leads;
}

const std::vector<std::string> kAllButAvr = {"I", "II", "III", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};

double StDepressionValue(const EcgMeasurements& m, const std::string& l) {
  double v = LeadAmp(m, l, &LeadAmplitudes::st_j60_mv);
  if (!Known(v)) v = LeadAmp(m, l, &LeadAmplitudes::st_j80_mv);
  if (!Known(v)) v = LeadAmp(m, l, &LeadAmplitudes::st_j_mv);
  return v;
}

std::vector<LeadVal> StVals(const EcgMeasurements& m, const std::vector<std::string>& leads, bool elevation) {
  std::vector<LeadVal> out;
  for (const std::string& l : leads) {
    LeadVal v;
    v.lead = l;
    if (elevation) {
      v.value = LeadAmp(m, l, &LeadAmplitudes::st_j_mv);
      const double thr = (l == "V2" || l == "V3") ? 0.2 : 0.1;
      v.g = v.value - thr;
    } else {
      v.value = StDepressionValue(m, l);
      v.g = -0.05 - v.value;
      // Upsloping ST (rising >= 0.05 mV from J to J+80 ms, e.g. J-point depression in
      // tachycardia) is no ischemic ST depression, nor clearly its absence.
      const double j = LeadAmp(m, l, &LeadAmplitudes::st_j_mv), j80 = LeadAmp(m, l, &LeadAmplitudes::st_j80_mv);
      if (v.g >= 0 && Known(j) && Known(j80) && j80 - j >= 0.05) v.ambiguous = true;
    }
    v.tol = Tolerance("", "mV", v.value);
    out.push_back(v);
  }
  return out;
}

Judged StFinding(const EcgMeasurements& m, const std::vector<std::string>& leads, bool elevation, bool neg) {
  return AtLeastK(StVals(m, leads, elevation), std::min<size_t>(2, leads.size()), neg,
                  elevation ? "ST elevation" : "ST depression", "mV");
}

Judged StClaim(const Ctx& x) {
  const Claim& c = x.c;
  const EcgMeasurements& m = x.m;
  const bool neg = c.negated;
  const std::vector<std::string> leads = LeadsOr(c, kAllButAvr);
  const std::string& q = c.qualifier;
  if (c.relation != Claim::kQualitative) {
    // The size of the deviation: the largest elevation / deepest depression of the named leads.
    const bool depression = q == "depression";
    const bool elevation = q == "elevation";
    double best = NAN;
    int missing = 0;
    std::string text;
    for (const std::string& l : leads) {
      double v = depression ? StDepressionValue(m, l) : LeadAmp(m, l, &LeadAmplitudes::st_j_mv);
      if (!Known(v)) {
        ++missing;
        continue;
      }
      const double size = depression ? -v : elevation ? v : std::fabs(v);
      best = Known(best) ? std::max(best, size) : size;
    }
    NumPart p = AmpPart(std::string(depression ? "deepest ST depression" : elevation ? "largest ST elevation"
                                                                                     : "largest ST deviation") +
                            " of the named leads",
                        best, {});
    // A stated size: |value| ("ST depression of -0.1 mV" = 0.1 mV deep).
    Claim cc = c;
    cc.value = std::fabs(c.value);
    if (Known(c.value_hi)) cc.value_hi = std::fabs(c.value_hi);
    Ctx z{cc, m, x.range, x.atrial_rate};
    Judged j = NumericClaim(z, p);
    if (missing > 0 && j.v == Tri::kNo) j = Unknown(std::to_string(missing) + " named lead(s) not measured; " + j.why);
    return j;
  }
  if (q == "elevation") return StFinding(m, leads, true, neg);
  if (q == "depression") return StFinding(m, leads, false, neg);
  if (q == "isoelectric" || q == "normal") {  // neither elevation nor depression
    return Combine({StFinding(m, leads, true, !neg), StFinding(m, leads, false, !neg)}, neg);
  }
  if (q == "deviation") {
    return Combine({StFinding(m, leads, true, neg), StFinding(m, leads, false, neg)}, !neg);
  }
  return Unknown("\"" + q + "\" is nonspecific: not judged");
}

Judged QWaveClaim(const Ctx& x) {
  const Claim& c = x.c;
  const EcgMeasurements& m = x.m;
  const std::vector<std::string> leads = LeadsOr(c, kAllButAvr);
  if (c.relation != Claim::kQualitative) {
    const bool width = c.unit == "ms";
    double best = NAN;
    int missing = 0;
    for (const std::string& l : leads) {
      const auto& doubtful = m.criteria.doubtful_q_leads;
      double v = LeadAmp(m, l, width ? &LeadAmplitudes::q_ms : &LeadAmplitudes::q_mv);
      if (std::find(doubtful.begin(), doubtful.end(), l) != doubtful.end()) v = NAN;  // delineation doubtful
      if (!Known(v)) {
        ++missing;
        continue;
      }
      v = std::fabs(v);
      best = Known(best) ? std::max(best, v) : v;
    }
    NumPart p;
    if (width) {
      p.what = "widest Q wave of the named leads";
      p.m = best;
      p.unit = "ms";
      p.tol = 10;
      p.cutoffs = {30, 40};
    } else {
      p = AmpPart("deepest Q wave of the named leads", best, {});
      p.cutoffs = {0.1};
    }
    Claim cc = c;
    cc.value = std::fabs(c.value);
    Ctx z{cc, m, x.range, x.atrial_rate};
    Judged j = NumericClaim(z, p);
    if (missing > 0 && j.v == Tri::kNo) j = Unknown(std::to_string(missing) + " named lead(s) not measured; " + j.why);
    return j;
  }
  if (!CriteriaKnown(m)) return Unknown("pathological Q waves not measured");
  // The Fourth Universal Definition (criteria.h) decides; a lead within the
  // tolerance of it (10 ms, 0.05 mV) makes the claim borderline, and a lead
  // whose Q the delineation doubts makes a contradiction impossible.
  auto in = [](const std::vector<std::string>& v, const std::string& l) {
    return std::find(v.begin(), v.end(), l) != v.end();
  };
  std::vector<std::string> listed, clear, near, doubtful;
  std::string text;
  int near_groups[3] = {0, 0, 0};
  for (const std::string& l : leads) {
    if (l == "aVR") continue;
    if (in(m.criteria.doubtful_q_leads, l)) {
      doubtful.push_back(l);
      continue;
    }
    const double qms = LeadAmp(m, l, &LeadAmplitudes::q_ms), qmv = LeadAmp(m, l, &LeadAmplitudes::q_mv);
    const double rmv = LeadAmp(m, l, &LeadAmplitudes::r_mv);
    if (!Known(qms) || !Known(qmv)) continue;
    const double depth = std::fabs(qmv);
    if (depth > 0) text += (text.empty() ? "" : ", ") + l + " Q " + Num(qms, "ms") + " ms " + Num(depth, "mV") + " mV";
    const bool v2v3 = l == "V2" || l == "V3";
    const double width_cut = v2v3 ? kPathQV2V3Ms : kPathQMs;
    const bool qs = Known(rmv) && rmv <= kQsMaxRMv && depth > 0;
    if (in(m.criteria.pathological_q_leads, l)) {
      listed.push_back(l);
      if ((qs && depth >= 0.3) || (qms >= width_cut + 10 && (v2v3 || depth >= kPathQMv + 0.05))) clear.push_back(l);
      continue;
    }
    // III and V1 are never pathological on their own, but may be a partner.
    const bool could = depth >= 0.05 && ((Known(rmv) && rmv <= kQsMaxRMv + 0.05) ||
                                         (qms >= width_cut - 10 && (v2v3 || depth >= kPathQMv - 0.05)));
    if (could) {
      near.push_back(l);
      ++near_groups[(l == "I" || l == "aVL") ? 0 : (l == "II" || l == "III" || l == "aVF") ? 1 : 2];
    }
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& l : v) s += (s.empty() ? "" : ", ") + l;
    return s;
  };
  bool near_pattern = near_groups[0] >= 2 || near_groups[1] >= 2 || near_groups[2] >= 2;
  for (const std::string& l : near) near_pattern = near_pattern || l == "V2" || l == "V3";
  bool clear_pattern = false;
  for (const std::string& l : clear) clear_pattern = clear_pattern || l == "V2" || l == "V3";
  clear_pattern = clear_pattern || clear.size() >= 2;
  Judged j;
  j.text = text.empty() ? "no Q waves in the named leads" : text;
  const std::string rule = "pathological Q (Fourth Universal Definition of MI): ";
  const std::string doubt = doubtful.empty() ? "" : "; Q as wide as the QRS in " + join(doubtful) + " (delineation doubtful)";
  if (!c.negated) {
    if (!listed.empty()) j.v = Tri::kYes, j.why = rule + "met in " + join(listed);
    else if (near_pattern || !doubtful.empty()) j.why = "borderline or doubtful: " + rule + "not met" + (near.empty() ? "" : ", near in " + join(near)) + doubt;
    else j.v = Tri::kNo, j.why = rule + "not met in the named leads (" + j.text + ")";
  } else {
    if (clear_pattern) j.v = Tri::kNo, j.why = rule + "met clearly in " + join(clear);
    else if (!listed.empty() || near_pattern || !doubtful.empty())
      j.why = "borderline or doubtful: " + rule + (listed.empty() ? "not met" : "met in " + join(listed) + ", not clearly") + doubt;
    else j.v = Tri::kYes, j.why = rule + "not met (" + j.text + "; an isolated Q in III, aVR or V1 and a septal q are normal)";
  }
  return j;
}

Judged RProgressionClaim(const Ctx& x) {
  const Claim& c = x.c;
  const std::string& r = x.m.criteria.r_progression;
  if (r.empty()) return Unknown("R-wave progression not measured");
  const std::string q = c.qualifier == "delayed" ? "poor" : c.qualifier;
  bool match;
  if (q == "normal") match = r == "normal";
  else if (q == "poor") match = r == "poor";
  else if (q == "reversed") match = r == "reversed";
  else if (q == "abnormal") match = r == "poor" || r == "reversed";
  else return Unknown("R-wave progression \"" + c.qualifier + "\" is not judged");
  Judged j = Cat(match ? Tri::kYes : Tri::kNo, r, "measured R-wave progression \"" + r + "\"");
  const double rv3 = LeadAmp(x.m, "V3", &LeadAmplitudes::r_mv);
  if (Known(rv3)) {
    j.measured = rv3;
    j.unit = "mV";
    j.why += " (R in V3 " + WithUnit(rv3, "mV") + ")";
    // Borderline around the poor-progression cut-off (R V3 0.3 mV) when normal vs poor decides.
    const bool decides = (r == "normal" || r == "poor") && q != "reversed";
    if (decides && std::fabs(rv3 - 0.3) <= 0.05) {
      j.v = Tri::kUnknown;
      j.why = "borderline: R in V3 " + WithUnit(rv3, "mV") + " is within +-0.05 mV of the 0.30 mV cut-off";
      return j;
    }
  }
  return c.negated ? Flip(j) : j;
}

Judged PWaveClaim(const Ctx& x) {
  const Claim& c = x.c;
  const EcgMeasurements& m = x.m;
  const bool neg = c.negated;
  const std::string& q = c.qualifier;
  const Delineation& d = m.delineation;
  const bool delineated = Known(d.intervals.qrs_ms);
  if (c.relation != Claim::kQualitative) {
    if (c.unit == "ms") {
      NumPart p;
      p.what = "P duration";
      p.m = d.intervals.p_ms;
      p.unit = "ms";
      p.tol = 10;
      p.cutoffs = {120};
      return NumericClaim(x, p);
    }
    const std::string lead = c.leads.size() == 1 ? c.leads[0] : c.leads.empty() ? "II" : "";
    if (lead.empty()) return Unknown("P amplitude of several leads: which one is unclear");
    const double v = LeadAmp(m, lead, &LeadAmplitudes::p_mv);
    NumPart p = AmpPart("P amplitude in " + lead, Known(v) ? std::fabs(v) : NAN, {});
    p.cutoffs = {0.25};
    Claim cc = c;
    cc.value = std::fabs(c.value);
    return NumericClaim(Ctx{cc, m, x.range, x.atrial_rate}, p);
  }
  if (q == "absent") {
    if (!delineated) return Unknown("P waves not measured (no delineation)");
    Judged j = Cat(d.p_present ? Tri::kNo : Tri::kYes, d.p_present ? "P waves present" : "no P waves",
                   d.p_present ? "the delineation finds P waves" : "the delineation finds no P waves");
    return neg ? Flip(j) : j;
  }
  if (q == "upright" || q == "inverted" || q == "negative") {
    const bool up = q == "upright";
    std::vector<LeadVal> vals;
    for (const std::string& l : LeadsOr(c, {"II"})) {
      LeadVal v;
      v.lead = l;
      v.value = LeadAmp(m, l, &LeadAmplitudes::p_mv);
      v.g = up ? v.value : -v.value;
      v.tol = Tolerance("", "mV", v.value);
      vals.push_back(v);
    }
    if (delineated && !d.p_present)
      return Unknown("the delineation finds no P waves (a missed low P wave cannot be excluded)");
    return AtLeastK(vals, vals.size(), neg, up ? "upright P wave" : "inverted P wave", "mV");
  }
  const double p2 = LeadAmp(m, "II", &LeadAmplitudes::p_mv);
  NumPart tall = AmpPart("P amplitude in II", p2, {{0.25, kInf}});
  tall.cutoffs = {0.25};
  NumPart broad;
  broad.what = "P duration";
  broad.m = d.intervals.p_ms;
  broad.unit = "ms";
  broad.tol = 10;
  broad.pos = {{120, kInf}};
  broad.cutoffs = {120};
  if (q == "peaked" || q == "tall" || q == "right atrial abnormality") return JudgeNum(tall, neg);
  if (q == "broad") return JudgeNum(broad, neg);
  if (q == "left atrial abnormality") {  // broad P in II, or a deep terminal negative P in V1 (not measured)
    return Combine({JudgeNum(broad, neg), Unknown("the terminal P in V1 is not measured")}, !neg);
  }
  if (q == "atrial abnormality") {
    return Combine({JudgeNum(tall, neg), JudgeNum(broad, neg), Unknown("the terminal P in V1 is not measured")},
                   !neg);
  }
  if (q == "normal") {  // duration < 120 ms and height 0..0.25 mV in II
    NumPart h = AmpPart("P amplitude in II", p2, {{0, 0.25}});
    h.cutoffs = {0.25};
    NumPart w = broad;
    w.pos = {{-kInf, 120}};
    return Combine({JudgeNum(w, neg), JudgeNum(h, neg)}, neg);
  }
  return Unknown("P-wave finding \"" + q + "\" is not judged");
}

// T polarity's normal variants: T may be inverted (or flat) in aVR always and
// in III and V1. A claim over a group of leads ("upright in the precordial
// leads", "no T inversion") is judged without them; a lead named on its own
// (or a group of nothing else) keeps its claim.
std::vector<std::string> WithoutTVariants(const std::vector<std::string>& leads) {
  std::vector<std::string> out;
  for (const std::string& l : leads)
    if (l != "aVR" && l != "III" && l != "V1") out.push_back(l);
  return out.empty() ? leads : out;
}
constexpr const char* kTVariantNote = " (aVR, III and V1 left out: T inversion there is a normal variant)";

Judged TWaveClaim(const Ctx& x) {
  const Claim& c = x.c;
  const EcgMeasurements& m = x.m;
  const bool neg = c.negated;
  const std::string& q = c.qualifier;
  if (c.relation != Claim::kQualitative) {
    if (c.leads.size() != 1) return Unknown("T amplitude without a single named lead");
    const double v = LeadAmp(m, c.leads[0], &LeadAmplitudes::t_mv);
    NumPart p = AmpPart("T amplitude in " + c.leads[0], Known(v) ? std::fabs(v) : NAN, {});
    Claim cc = c;
    cc.value = std::fabs(c.value);
    return NumericClaim(Ctx{cc, m, x.range, x.atrial_rate}, p);
  }
  auto vals_of = [&](const std::vector<std::string>& leads, int mode) {  // 0 inverted, 1 flat, 2 upright
    std::vector<LeadVal> out;
    for (const std::string& l : leads) {
      LeadVal v;
      v.lead = l;
      v.value = LeadAmp(m, l, &LeadAmplitudes::t_mv);
      v.g = mode == 0 ? -v.value : mode == 1 ? 0.1 - std::fabs(v.value) : v.value;
      v.tol = Tolerance("", "mV", v.value);
      out.push_back(v);
    }
    return out;
  };
  if (q == "inverted" || q == "flat") {
    // "No T inversion" over a group allows the normal variants.
    if (c.leads.empty() && !neg) return Unknown("T-wave " + q + ": no leads named");
    const std::vector<std::string> leads = neg ? WithoutTVariants(LeadsOr(c, kAllButAvr)) : c.leads;
    Judged j = AtLeastK(vals_of(leads, q == "inverted" ? 0 : 1), std::min<size_t>(2, leads.size()), neg,
                        q == "inverted" ? "T inversion" : "flat T wave", "mV");
    if (neg && leads.size() != LeadsOr(c, kAllButAvr).size()) j.why += kTVariantNote;
    return j;
  }
  if (q == "upright" || q == "normal") {
    const std::vector<std::string> named = LeadsOr(c, {"I", "II", "V3", "V4", "V5", "V6"});
    const std::vector<std::string> leads = WithoutTVariants(named);
    Judged j = AtLeastK(vals_of(leads, 2), leads.size(), neg, "upright T wave", "mV");
    if (leads.size() != named.size()) j.why += kTVariantNote;
    return j;
  }
  return Unknown("T-wave finding \"" + q + "\" is not measured");
}

Judged QrsMorphologyClaim(const Ctx& x) {
  const Claim& c = x.c;
  const EcgMeasurements& m = x.m;
  const std::string& q = c.qualifier;
  std::vector<LeadVal> vals;
  for (const std::string& l : LeadsOr(c, {"V1"})) {
    LeadVal v;
    v.lead = l;
    if (q == "rSR'") {
      v.value = LeadAmp(m, l, &LeadAmplitudes::r_prime_mv);
      v.g = v.value - 0.1;
    } else if (q == "QS") {
      v.value = LeadAmp(m, l, &LeadAmplitudes::r_mv);
      v.g = 0.05 - v.value;
    } else {
      return Unknown("QRS morphology \"" + q + "\" is not judged");
    }
    v.tol = 0.05;
    vals.push_back(v);
  }
  return AtLeastK(vals, 1, c.negated, q == "rSR'" ? "R' (rSR')" : "QS complex (no R)", "mV");
}

// ---- dispatch ----------------------------------------------------------------------------

// Kinds never judged against the signal, with the reason.
const char* NeverMeasured(const std::string& kind) {
  if (kind == "paper_speed") return "paper speed belongs to the printed trace, not to the signal";
  if (kind == "calibration") return "calibration belongs to the printed trace, not to the signal";
  if (kind == "infarction") return "infarction is a clinical diagnosis: not measured (see the Q-wave and ST claims)";
  if (kind == "ischemia") return "ischemia is a clinical diagnosis: not measured (see the ST claims)";
  if (kind == "electrolyte") return "electrolyte levels are not measurable from the signal";
  if (kind == "rvh") return "right ventricular hypertrophy criteria are not measured";
  if (kind == "u_wave") return "U waves are not measured";
  if (kind == "technical") return "lead reversal / technical quality is not judged";
  return nullptr;
}

bool AmplitudeBased(const Claim& c) {
  const std::string& k = c.kind;
  if (k == "voltage" || k == "lvh" || k == "st" || k == "q_wave" || k == "r_progression" || k == "qrs_morphology")
    return true;
  // The axis rests on the ratios of lead amplitudes (lost when leads were rescaled one by one).
  if (k == "axis" || k == "fascicular_block") return true;
  if (c.unit == "mV") return true;
  const std::string& q = c.qualifier;
  if (k == "p_wave")
    return q == "peaked" || q == "tall" || q == "right atrial abnormality" || q == "atrial abnormality" ||
           q == "normal" || q == "upright" || q == "inverted" || q == "negative";
  if (k == "t_wave") return q == "flat" || q == "normal" || q == "upright" || q == "inverted";
  return false;
}

Judged JudgeClaim(const Ctx& x) {
  const std::string& k = x.c.kind;
  if (k == "heart_rate") return HeartRateClaim(x);
  if (k == "pr" || k == "qrs" || k == "qt") return IntervalClaim(x);
  if (k == "qtc") return QtcClaim(x);
  if (k == "axis") return AxisClaim(x);
  if (k == "rhythm") return RhythmClaim(x);
  if (k == "bundle_branch_block") return BundleBranchClaim(x);
  if (k == "fascicular_block") return FascicularClaim(x);
  if (k == "av_block") return AvBlockClaim(x);
  if (k == "preexcitation") return PreexcitationClaim(x);
  if (k == "voltage") return VoltageClaim(x);
  if (k == "lvh") return LvhClaim(x);
  if (k == "st") return StClaim(x);
  if (k == "q_wave") return QWaveClaim(x);
  if (k == "r_progression") return RProgressionClaim(x);
  if (k == "p_wave") return PWaveClaim(x);
  if (k == "t_wave") return TWaveClaim(x);
  if (k == "qrs_morphology") return QrsMorphologyClaim(x);
  return Unknown("claims of kind \"" + k + "\" are not measured");
}

// ---- context from the output text ------------------------------------------------------------

struct TextContext {
  RangeReading range = RangeReading::kInside;
  bool atrial_rate = false;
};

TextContext ContextOf(const std::string& low, const Claim& c) {
  TextContext t;
  if (low.empty() || c.end > low.size() || c.start > c.end) return t;
  // The words just before the claim (same sentence), for ranges and "atrial rate".
  size_t wb = c.start > 60 ? c.start - 60 : 0;
  for (size_t i = c.start; i > wb; --i)
    if (low[i - 1] == '.' || low[i - 1] == ';' || low[i - 1] == '\n') {
      wb = i;
      break;
    }
  const std::string before = low.substr(wb, c.start - wb);
  const std::string span = low.substr(c.start, c.end - c.start);
  if (c.relation == Claim::kRange) {
    size_t best = std::string::npos;
    RangeReading reading = RangeReading::kInside;
    // The direction word may sit before the claim or inside its span, ahead of
    // the numbers ("the heart rate is below the normal range of 60-100 bpm").
    const std::string context = before + span.substr(0, span.find_first_of("0123456789"));
    auto look = [&](const char* w, RangeReading r) {
      const size_t p = context.rfind(w);
      if (p != std::string::npos && (best == std::string::npos || p > best)) best = p, reading = r;
    };
    for (const char* w : {"above", "exceed", "over ", "higher than", "greater than", "more than", "faster than", "beyond"})
      look(w, RangeReading::kAbove);
    for (const char* w : {"below", "under ", "lower than", "less than", "slower than", "short of"})
      look(w, RangeReading::kBelow);
    look("outside", RangeReading::kOutside);
    for (const char* w : {"within", " in the", "inside", "between"}) look(w, RangeReading::kInside);
    t.range = reading;
  }
  if (c.kind == "heart_rate") {  // "the atrial rate is 300 bpm": the span starts at "rate"
    const std::string all = before + span;
    const size_t pa = all.rfind("atrial rate");
    const size_t pv = std::max(all.rfind("ventricular rate") + 1, all.rfind("heart rate") + 1);  // npos+1 == 0
    if (pa != std::string::npos && pa + 1 > pv) t.atrial_rate = true;
  }
  return t;
}

// Which measurement and which rule decide a claim of each kind (verify.h has
// the rules in full).
struct KindBasis { const char* measurement; const char* rule; };
KindBasis BasisOf(const std::string& kind) {
  static const std::pair<const char*, KindBasis> kTable[] = {
      {"heart_rate", {"rr.heart_rate_bpm", "+-max(3 bpm, 5 %); cut-offs 60 / 100 bpm"}},
      {"pr", {"delineation.intervals.pr_ms", "+-10 ms (IEC 60601-2-25); normal 120-200 ms"}},
      {"qrs", {"delineation.intervals.qrs_ms", "+-10 ms (IEC 60601-2-25); normal <= 100 ms, wide >= 120 ms"}},
      {"qt", {"delineation.intervals.qt_ms", "+-25 ms"}},
      {"qtc", {"delineation.intervals.qtc_bazett_ms, qtc_fridericia_ms", "+-25 ms, either formula; normal <= 460 ms, prolonged >= 440 ms"}},
      {"axis", {"axes.qrs_deg", "+-15 deg; normal -30..90 deg"}},
      {"rhythm", {"rhythm.label, beats[].label, rr", "the protocol's rhythm table"}},
      {"bundle_branch_block", {"delineation.intervals.qrs_ms, criteria.bundle_branch_block", "QRS >= 120 ms with the block's morphology (AHA 2009)"}},
      {"fascicular_block", {"axes.qrs_deg", "LAFB: axis -45..-90 deg"}},
      {"av_block", {"delineation.intervals.pr_ms", "first degree: PR > 200 ms"}},
      {"preexcitation", {"delineation.intervals.pr_ms", "WPW needs PR < 120 ms"}},
      {"voltage", {"criteria (Sokolow-Lyon, Cornell, R aVL), leads[].amplitudes", "Sokolow-Lyon >= 3.5 mV, R aVL >= 1.1 mV, Cornell; low voltage < 0.5 / 1.0 mV"}},
      {"lvh", {"criteria.sokolow_lyon_mv, r_avl_mv, cornell_mv", "LVH voltage: any criterion met"}},
      {"st", {"leads[].amplitudes.st_j_mv, st_j60_mv", "elevation >= 0.1 mV (0.2 mV V2-V3) at J, depression <= -0.05 mV at J+60, in 2 of the named leads"}},
      {"q_wave", {"criteria.pathological_q_leads, leads[].amplitudes.q_ms, q_mv", "Fourth Universal Definition of MI"}},
      {"r_progression", {"criteria.r_progression", "poor: R V3 <= 0.3 mV"}},
      {"p_wave", {"delineation.p_present, leads[].amplitudes.p_mv", "sign and size of P"}},
      {"t_wave", {"leads[].amplitudes.t_mv", "sign of T; aVR, III and V1 are normal variants in a group"}},
      {"qrs_morphology", {"leads[].amplitudes.r_prime_mv, r_mv", "rSR': R' >= 0.1 mV; QS: R <= 0.05 mV"}},
  };
  for (const auto& [k, b] : kTable)
    if (kind == k) return b;
  return {"", ""};
}

// Why the measurement a claim of `kind` rests on cannot carry a
// contradiction, "" when it is confident: too few beats in the median, too
// few leads delineated, or the leads disagreeing with the global value.
constexpr double kMinIntervalFs = 250;  // below, a sample is >= 4 ms: +-10 ms boundaries are not confident

std::string MeasurementDoubt(const std::string& kind, const EcgMeasurements& m) {
  if (kind == "heart_rate" || kind == "rhythm")
    return m.rr.beats < 3 ? "fewer than 3 beats" : "";
  const bool interval = kind == "pr" || kind == "qrs" || kind == "qt" || kind == "qtc" || kind == "av_block" ||
                        kind == "preexcitation" || kind == "bundle_branch_block";
  if (!interval) return "";
  const Delineation& d = m.delineation;
  if (d.beats_used < 3) return "the median beat rests on " + std::to_string(d.beats_used) + " beat(s)";
  if (m.fs > 0 && m.fs < kMinIntervalFs)
    return "sampled at " + Num(m.fs, "") + " Hz (boundaries to +-10 ms need >= 250 Hz)";
  std::vector<double> qrs, qt;
  int p_leads = 0, usable = 0;
  for (const LeadDelineation& l : d.leads) {
    if (!l.usable) continue;
    ++usable;
    if (l.p_present) ++p_leads;
    if (Known(l.intervals.qrs_ms)) qrs.push_back(l.intervals.qrs_ms);
    if (Known(l.intervals.qt_ms)) qt.push_back(l.intervals.qt_ms);
  }
  if (usable < 3) return std::to_string(usable) + " usable lead(s)";
  if ((kind == "pr" || kind == "av_block" || kind == "preexcitation") && p_leads < 3)
    return "a P wave in only " + std::to_string(p_leads) + " lead(s)";
  if ((kind == "qrs" || kind == "bundle_branch_block") && Known(d.intervals.qrs_ms)) {
    if (qrs.size() < 3) return "QRS delineated in " + std::to_string(qrs.size()) + " lead(s)";
    const double med = Median(qrs);
    if (std::fabs(med - d.intervals.qrs_ms) > 40)
      return "the leads' QRS (median " + Num(med, "ms") + " ms) disagree with the global " + Num(d.intervals.qrs_ms, "ms") + " ms";
  }
  if ((kind == "qt" || kind == "qtc") && qt.size() < 3) return "T offset found in " + std::to_string(qt.size()) + " lead(s)";
  return "";
}

}  // namespace

const char* VerdictName(ClaimVerdict::Verdict v) {
  switch (v) {
    case ClaimVerdict::kSupported: return "supported";
    case ClaimVerdict::kContradicted: return "contradicted";
    case ClaimVerdict::kUnverifiable: return "unverifiable";
  }
  return "unverifiable";
}

double ClaimTolerance(const std::string& kind, const std::string& unit, double measured) {
  return Tolerance(kind, unit, measured);
}

std::string AmplitudeGateWarning(const EcgMeasurements& m) {
  for (const std::string& w : m.warnings) {
    const std::string l = AsciiLower(w);
    if (l.find("amplitude") != std::string::npos || l.find("gain") != std::string::npos ||
        l.find("plausib") != std::string::npos || l.find("unit") != std::string::npos)
      return w;
  }
  return "amplitudes are not physiological (gain or units look wrong)";
}

std::vector<ClaimVerdict> VerifyClaims(const std::vector<Claim>& claims, const EcgMeasurements* m,
                                       const std::string& output) {
  std::vector<ClaimVerdict> out;
  out.reserve(claims.size());
  std::string low = output;
  for (char& ch : low)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
  const std::string gate = m != nullptr && !m->amplitudes_plausible ? AmplitudeGateWarning(*m) : std::string();
  for (const Claim& c : claims) {
    ClaimVerdict v;
    if (const char* why = NeverMeasured(c.kind)) {
      v.reason = why;
      out.push_back(std::move(v));
      continue;
    }
    if (m == nullptr) {
      v.reason = "no record given (--ecg): nothing to compare with";
      out.push_back(std::move(v));
      continue;
    }
    const KindBasis basis = BasisOf(c.kind);
    v.rule = basis.rule;
    v.measurement = basis.measurement;
    if (c.criterion) {
      v.reason = "criterion mention (a threshold quoted, not a measurement): not judged";
      out.push_back(std::move(v));
      continue;
    }
    if (c.uncertain) {
      v.reason = "hedged statement (\"" + c.modifier + "\"): not judged";
      out.push_back(std::move(v));
      continue;
    }
    const TextContext t = ContextOf(low, c);
    if (!gate.empty() && AmplitudeBased(c)) {
      v.reason = "amplitude claim not judged: " + gate;
      out.push_back(std::move(v));
      continue;
    }
    Ctx x{c, *m, t.range, t.atrial_rate};
    Judged j = JudgeClaim(x);
    v.doubt = MeasurementDoubt(c.kind, *m);
    if (j.v == Tri::kNo && !v.doubt.empty())
      j.v = Tri::kUnknown, j.why = "measurement doubtful (" + v.doubt + "): " + j.why;
    v.verdict = j.v == Tri::kYes ? ClaimVerdict::kSupported
                : j.v == Tri::kNo ? ClaimVerdict::kContradicted
                                  : ClaimVerdict::kUnverifiable;
    v.measured = j.measured;
    v.measured_unit = Known(j.measured) ? j.unit : std::string();
    v.measured_text = j.text;
    v.tolerance = Known(j.measured) ? j.tol : NAN;
    v.reason = j.why;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace ecgr1
