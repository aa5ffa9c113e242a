// claims.cc — see claims.h. Patterns run on an ASCII-lowercased copy of the
// output (same byte offsets), in PCRE2 byte mode (no UTF check: invalid UTF-8
// and NULs are just bytes). Every pattern is a bounded alternation of words
// (no unbounded nested quantifiers), so each match attempt costs O(1) and a
// scan is linear; a match limit guards against our own mistakes.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "check/claims.h"

#include "base/error.h"
#include "base/strings.h"

#include <pcre2.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <utility>

#include "check/context.h"
#include "check/output_structure.h"

namespace ecgr1 {
namespace {

bool IsAlnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// One compiled pattern; matches are visited in order over the whole text.
class Regex {
 public:
  explicit Regex(const char* pattern) {
    int err = 0;
    PCRE2_SIZE off = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED, 0, &err, &off, nullptr);
    if (code_ == nullptr)  // our bug: the patterns are constants
      Fail(ExitCode::kInternal, "claim pattern does not compile at offset %zu: %s", static_cast<size_t>(off), pattern);
    pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // interpreter when JIT is unavailable
  }
  ~Regex() { pcre2_code_free(code_); }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // fn(ovector, pair count) for each non-overlapping match.
  void ForEach(const std::string& s, const std::function<void(const PCRE2_SIZE*, int)>& fn) const {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_, nullptr);
    pcre2_match_context* mc = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(mc, 100000);
    PCRE2_SIZE pos = 0;
    while (pos <= s.size()) {
      int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), pos, 0, md, mc);
      if (rc <= 0) {
        if (rc == PCRE2_ERROR_MATCHLIMIT && pos < s.size()) { ++pos; continue; }
        break;
      }
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      fn(ov, rc);
      pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
    }
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
  }

 private:
  pcre2_code* code_ = nullptr;
};

// Group text of a match ("" when the group did not take part).
std::string Group(const std::string& s, const PCRE2_SIZE* ov, int n, int g) {
  if (g >= n || ov[2 * g] == PCRE2_UNSET) return "";
  return s.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

// Collapses runs of spaces/hyphens to one space: "st-segment" -> "st segment".
std::string Squash(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool sep = IsSpace(c) || c == '-';
    if (sep) { if (!out.empty() && out.back() != ' ') out += ' '; } else out += c;
  }
  return out;
}

// ---- leads ------------------------------------------------------------------

const char* const kLeadNames[12] = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};
constexpr uint16_t kInferior = (1 << 1) | (1 << 2) | (1 << 5);
constexpr uint16_t kLateral = (1 << 0) | (1 << 4) | (1 << 10) | (1 << 11);
constexpr uint16_t kHighLateral = (1 << 0) | (1 << 4);
constexpr uint16_t kAnterior = (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9);
constexpr uint16_t kSeptal = (1 << 6) | (1 << 7);
constexpr uint16_t kAnterolateral = kHighLateral | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11);
constexpr uint16_t kPrecordial = 0xFC0;
constexpr uint16_t kLimb = 0x3F;

// Leads named in [b, e): explicit names (with V ranges) if any, else the
// lead groups' leads.
uint16_t ParseLeads(const std::string& orig, const std::string& low, size_t b, size_t e) {
  uint16_t explicit_mask = 0, group_mask = 0;
  std::string prev;
  size_t i = b;
  while (i < e) {
    if (!IsAlnum(low[i]) || (i > 0 && IsAlnum(low[i - 1]))) { ++i; continue; }
    size_t j = i;
    while (j < e && IsAlnum(low[j])) ++j;
    std::string t = low.substr(i, j - i);
    std::string o = orig.substr(i, j - i);
    if (o == "I") explicit_mask |= 1;
    else if (o == "II") explicit_mask |= 2;
    else if (o == "III") explicit_mask |= 4;
    else if (t == "avr") explicit_mask |= 8;
    else if (t == "avl") explicit_mask |= 16;
    else if (t == "avf") explicit_mask |= 32;
    else if (t.size() == 3 && (t[0] == 's' || t[0] == 'r') && t[1] == 'v' && t[2] >= '1' && t[2] <= '6') {
      explicit_mask |= static_cast<uint16_t>(1 << (6 + t[2] - '1'));  // "SV1", "RV5"
    } else if (t.size() == 2 && t[0] == 'v' && t[1] >= '1' && t[1] <= '6') {
      int first = t[1] - '1';
      explicit_mask |= static_cast<uint16_t>(1 << (6 + first));
      // A range: "V1-V4", "V1 – V4", "V1 to V4", "V1 through V4".
      size_t k = j;
      while (k < e && IsSpace(low[k])) ++k;
      size_t after = k;
      if (k < e && low[k] == '-') after = k + 1;
      else if (low.compare(k, 3, "\xE2\x80\x93") == 0 || low.compare(k, 3, "\xE2\x80\x94") == 0) after = k + 3;
      else if (low.compare(k, 3, "to ") == 0) after = k + 2;
      else if (low.compare(k, 8, "through ") == 0) after = k + 7;
      if (after != k) {
        while (after < e && IsSpace(low[after])) ++after;
        if (after + 1 < e && low[after] == 'v' && low[after + 1] >= '1' && low[after + 1] <= '6' &&
            (after + 2 >= low.size() || !IsAlnum(low[after + 2]))) {
          int last = low[after + 1] - '1';
          for (int v = first; v <= last; ++v) explicit_mask |= static_cast<uint16_t>(1 << (6 + v));
          j = after + 2;
        }
      }
    } else if (t == "inferior") group_mask |= kInferior;
    else if (t == "lateral") group_mask |= prev == "high" ? kHighLateral : kLateral;
    else if (t == "anterior" || t == "anteroseptal") group_mask |= kAnterior;
    else if (t == "septal") group_mask |= kSeptal;
    else if (t == "anterolateral") group_mask |= kAnterolateral;
    else if (t == "inferolateral") group_mask |= kInferior | kLateral;
    else if (t == "precordial") group_mask |= kPrecordial;
    else if (t == "limb") group_mask |= kLimb;
    prev = t;
    i = j;
  }
  return explicit_mask ? explicit_mask : group_mask;
}

std::vector<std::string> LeadList(uint16_t mask) {
  std::vector<std::string> out;
  for (int i = 0; i < 12; ++i) if (mask & (1 << i)) out.push_back(kLeadNames[i]);
  return out;
}

bool LeadKind(const std::string& kind) {
  return kind == "st" || kind == "voltage" || kind == "p_wave" || kind == "q_wave" || kind == "t_wave" ||
         kind == "r_progression" || kind == "infarction" || kind == "ischemia" || kind == "qrs_morphology" ||
         kind == "u_wave";
}

// A word where a lead list switches to another finding, after at least one
// lead name: "upright in I and II and [inverted] in aVR".
struct LeadSwitch { bool found = false; size_t start = 0, end = 0; std::string word; };
LeadSwitch FindLeadSwitch(const std::string& orig, const std::string& low, size_t b, size_t e) {
  static const char* const kSwitchWords[] = {"upright", "positive", "inverted", "negative", "flat", "flattened",
                                             "biphasic", "elevated", "elevation", "depressed", "depression",
                                             "isoelectric"};
  LeadSwitch out;
  bool lead_seen = false;
  size_t i = b;
  while (i < e) {
    if (!IsAlnum(low[i]) || (i > 0 && IsAlnum(low[i - 1]))) { ++i; continue; }
    size_t j = i;
    while (j < e && IsAlnum(low[j])) ++j;
    const std::string w = low.substr(i, j - i);
    if (lead_seen) {
      for (const char* s : kSwitchWords)
        if (w == s) {
          out.found = true;
          out.start = i;
          out.end = j;
          out.word = w;
          return out;
        }
    }
    if (ParseLeads(orig, low, i, j) != 0) lead_seen = true;
    i = j;
  }
  return out;
}

// The finding of `kind` a switch word names, "" when it names none of it.
std::string SwitchedQualifier(const std::string& kind, const std::string& w) {
  if (kind == "t_wave" || kind == "p_wave") {
    if (w == "upright" || w == "positive") return "upright";
    if (w == "inverted" || w == "negative") return "inverted";
    if (w == "flat" || w == "flattened") return "flat";
    if (w == "biphasic") return "biphasic";
  } else if (kind == "st") {
    if (w == "elevated" || w == "elevation") return "elevation";
    if (w == "depressed" || w == "depression") return "depression";
    if (w == "isoelectric") return "isoelectric";
  }
  return "";
}

// ---- qualitative rules ------------------------------------------------------

struct Finding { std::string kind, qualifier; };
using RuleFn = std::function<void(const std::string& low, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out)>;
struct Rule { std::unique_ptr<Regex> re; RuleFn fn; };

std::string IntervalKind(const std::string& g) {
  std::string s = Squash(g);
  if (s.rfind("corrected", 0) == 0 || s.rfind("qtc", 0) == 0) return "qtc";
  if (s.rfind("qt", 0) == 0) return "qt";
  if (s.rfind("pr", 0) == 0) return "pr";
  return "qrs";
}

std::string IntervalState(const std::string& g) {
  std::string s = Squash(g);
  if (s.rfind("within", 0) == 0 || s == "normal") return "normal";
  if (s == "widened" || s == "broad") return "wide";
  if (s == "shortened") return "short";
  if (s == "long") return "prolonged";
  return s;
}

std::string Upper(std::string s) { for (char& c : s) if (c >= 'a' && c <= 'z') c -= 32; return s; }

const std::vector<Rule>& Rules() {
  static const std::vector<Rule>* rules = [] {
    auto* r = new std::vector<Rule>;
    auto add = [r](const char* pattern, RuleFn fn) { r->push_back({std::make_unique<Regex>(pattern), std::move(fn)}); };
    auto fixed = [](const char* kind, const char* qual) {
      return [kind, qual](const std::string&, const PCRE2_SIZE*, int, std::vector<Finding>* out) { out->push_back({kind, qual}); };
    };
    // Rhythm.
    add(R"(\b(?:normal\s+)?sinus\s+(rhythm|tachycardia|bradycardia|arrhythmia|mechanism)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);
          out->push_back({"rhythm", g == "mechanism" ? "sinus rhythm" : "sinus " + g});
        });
    add(R"(\brhythm\s+(?:is|was|appears|remains)\s+(?:[a-z]+\s+){0,2}?(sinus|regular|irregularly\s+irregular|irregular)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Squash(Group(s, ov, n, 1));
          out->push_back({"rhythm", g == "sinus" ? "sinus rhythm" : g});
        });
    add(R"(\batrial\s+(fibrillation|flutter)(?:\s*,?\s*(?:or|and|/)\s+(?:atrial\s+)?(flutter|fibrillation))?\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          out->push_back({"rhythm", "atrial " + Group(s, ov, n, 1)});
          std::string g2 = Group(s, ov, n, 2);
          if (!g2.empty()) out->push_back({"rhythm", "atrial " + g2});
        });
    add(R"(\b(ventricular|supraventricular|junctional|ectopic\s+atrial)\s+(tachycardia|rhythm|escape\s+rhythm)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          out->push_back({"rhythm", Squash(Group(s, ov, n, 1) + " " + Group(s, ov, n, 2))});
        });
    add(R"(\bpremature\s+(atrial|ventricular|junctional)\s+(?:complex|contraction|beat|depolarization)(?:e?s)?\b|\b(pac|pvc|apc|vpc)s?\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);
          if (g.empty()) { std::string a = Group(s, ov, n, 2); g = (a == "pac" || a == "apc") ? "atrial" : "ventricular"; }
          out->push_back({"rhythm", "premature " + g + " complexes"});
        });
    add(R"(\b(?:ectopic\s+beats?|ectopy)\b)", fixed("rhythm", "ectopic beats"));
    add(R"(\b(?:paced\s+rhythm|pacemaker\s+rhythm|(?:atrial|ventricular|dual[\s-]+chamber)[\s-]+paced)\b)", fixed("rhythm", "paced"));
    add(R"(\b(?:(first|1st|second|2nd|third|3rd)[\s-]+degree\s+)?(?:av|atrioventricular|heart)\s+blocks?\b|\bmobitz(?:\s+type)?\s+(i{1,2}|1|2)\b|\bwenckebach\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string d = Group(s, ov, n, 1), m = Group(s, ov, n, 2);
          if (!m.empty()) out->push_back({"av_block", "Mobitz " + Upper(m)});
          else if (!d.empty()) {
            char c = d[0];
            out->push_back({"av_block", std::string(c == 'f' || c == '1' ? "first" : c == 's' || c == '2' ? "second" : "third") + " degree AV block"});
          } else if (s.compare(ov[0], 10, "wenckebach") == 0) out->push_back({"av_block", "Mobitz I"});
          else out->push_back({"av_block", "AV block"});
        });
    add(R"(\b(?:wolff[\s-]+parkinson[\s-]+white|wpw|pre[\s-]*excitation|delta\s+waves?)\b)", fixed("preexcitation", "WPW"));
    // Conduction.
    add(R"(\b(?:(complete|incomplete)\s+)?(right|left)(?:\s+(?:and|or)\s+(right|left))?\s+bundle[\s-]+branch[\s-]+blocks?\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string pre = Group(s, ov, n, 1) == "incomplete" ? "incomplete " : "";
          out->push_back({"bundle_branch_block", pre + (Group(s, ov, n, 2) == "right" ? "RBBB" : "LBBB")});
          std::string g3 = Group(s, ov, n, 3);
          if (!g3.empty()) out->push_back({"bundle_branch_block", pre + (g3 == "right" ? "RBBB" : "LBBB")});
        });
    add(R"(\b(i?[rl]bbb)\b)", [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
      std::string g = Group(s, ov, n, 1);
      out->push_back({"bundle_branch_block", g[0] == 'i' ? "incomplete " + Upper(g.substr(1)) : Upper(g)});
    });
    add(R"((?<!right )(?<!left )(?<!complete )\bbundle[\s-]+branch[\s-]+blocks?\b)", fixed("bundle_branch_block", "BBB"));
    add(R"(\bintraventricular\s+conduction\s+(?:delay|defect)s?\b|\bivcd\b)", fixed("bundle_branch_block", "IVCD"));
    add(R"(\bleft\s+(anterior|posterior)\s+(?:fascicular\s+block|hemiblock)\b|\b(lafb|lpfb|lah|lph)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string a = Group(s, ov, n, 1), b = Group(s, ov, n, 2);
          bool ant = a == "anterior" || b == "lafb" || b == "lah";
          out->push_back({"fascicular_block", ant ? "LAFB" : "LPFB"});
        });
    // Axis.
    add(R"(\b(left|right|extreme)\s+axis\s+deviation\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          out->push_back({"axis", Group(s, ov, n, 1) + " axis deviation"});
        });
    add(R"(\bnormal\s+(?:frontal\s+(?:plane\s+)?)?(?:qrs\s+)?axis\b)", fixed("axis", "normal"));
    add(R"(\baxis\s+(?:is\s+|lies\s+)?(?:within|in)\s+(?:the\s+)?normal\s+(?:range|limits)\b)", fixed("axis", "normal"));
    add(R"(\baxis\s+(?:is|was|appears|remains)\s+(?:[a-z]+\s+){0,2}?(normal|deviated|leftward|rightward|indeterminate)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);
          out->push_back({"axis", g == "leftward" ? "left axis deviation" : g == "rightward" ? "right axis deviation" : g});
        });
    // Intervals, qualitative.
    add(R"(\b(corrected\s+qt(?:\s+interval)?|qtc|qt|pr|qrs)(?:\s+(?:interval|duration|complex(?:es)?|width))?(?:\s*\(qtc\))?(?:\s+of\s+the\s+(?:[a-z]+\s+){0,2}?beats?)?\s+(?:is|was|are|appears?|remains?)\s+(?:[a-z]+\s+){0,2}?(normal|within\s+(?:normal|acceptable)\s+limits|prolonged|shortened|short|narrow|widened|wide|broad|borderline|long)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string state = IntervalState(Group(s, ov, n, 2));
          // "mildly widened", "slightly prolonged": the borderline band, not past the cut-off.
          const std::string before = s.substr(ov[0], ov[4] - ov[0]);
          if ((state == "wide" || state == "prolonged") &&
              (before.find("mild") != std::string::npos || before.find("slight") != std::string::npos ||
               before.find("minimal") != std::string::npos || before.find("borderline") != std::string::npos))
            state = "borderline";
          out->push_back({IntervalKind(Group(s, ov, n, 1)), state});
        });
    add(R"(\b(narrow|wide|widened|broad|prolonged|short|shortened)\s+(qtc|qt|pr|qrs)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          out->push_back({IntervalKind(Group(s, ov, n, 2)), IntervalState(Group(s, ov, n, 1))});
        });
    add(R"(\b(qtc|qt|pr|qrs)(?:\s+interval)?\s+(prolongation|shortening|widening)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 2);
          out->push_back({IntervalKind(Group(s, ov, n, 1)), g == "prolongation" ? "prolonged" : g == "widening" ? "wide" : "short"});
        });
    // ST segment.
    add(R"(\bst(?:[\s-]+segments?)?[\s-]+(elevations?|depressions?|elevated|depressed)(?:\s+(?:or|and|/)\s+(elevations?|depressions?))?\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          out->push_back({"st", Group(s, ov, n, 1)[0] == 'e' ? "elevation" : "depression"});
          std::string g2 = Group(s, ov, n, 2);
          if (!g2.empty()) out->push_back({"st", g2[0] == 'e' ? "elevation" : "depression"});
        });
    add(R"(\bst[\s-]+segments?\s+(?:is|are)\s+(?:[a-z]+\s+){0,2}?(isoelectric|elevated|depressed|normal)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);
          out->push_back({"st", g == "elevated" ? "elevation" : g == "depressed" ? "depression" : g});
        });
    add(R"(\bst[\s-]+(?:segment\s+)?(?:shifts?|deviations?)\b)", fixed("st", "deviation"));
    add(R"(\bst[\s-]+t(?:[\s-]+wave)?\s+(?:changes?|abnormalit(?:y|ies))\b)", fixed("st", "ST-T changes"));
    add(R"(\bstemi\b)", fixed("infarction", "STEMI"));
    // Hypertrophy and voltage.
    add(R"(\b(left|right)\s+ventricular\s+hypertrophy\b|\b(lvh|rvh)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          bool left = Group(s, ov, n, 1) == "left" || Group(s, ov, n, 2) == "lvh";
          out->push_back({left ? "lvh" : "rvh", left ? "LVH" : "RVH"});
        });
    add(R"((?<!left )(?<!right )\b(?:ventricular|chamber)\s+hypertrophy\b)", fixed("lvh", "hypertrophy"));
    // A criterion's name is a claim only as "... criteria" (met or not); "the
    // Sokolow-Lyon index is 22 mm" is a number, "the Sokolow-Lyon cut-off" a mention.
    add(R"(\bsokolow(?:[\s-]+lyon)?(?:\s+(?:voltage|lvh))?\s+criteri(?:a|on)\b)", fixed("voltage", "Sokolow-Lyon"));
    add(R"(\bcornell(?:\s+(?:voltage|lvh))?\s+criteri(?:a|on)\b)", fixed("voltage", "Cornell"));
    add(R"(\blow\s+(?:qrs\s+)?voltages?\b)", fixed("voltage", "low voltage"));
    add(R"(\b(?:qrs\s+)?voltages?\s+(?:is|are)\s+normal\b)", fixed("voltage", "normal"));
    add(R"((?<!lyon )(?<!sokolow )\bvoltage\s+criteria\b)", fixed("lvh", "voltage criteria"));
    // Q waves, QRS morphology, R progression.
    add(R"(\b(pathologic(?:al)?|significant|abnormal|deep|wide)\s+q[\s-]+waves?\b)", fixed("q_wave", "pathologic"));
    add(R"(\bqs\s+(?:complex|pattern|wave)e?s?\b)", fixed("qrs_morphology", "QS"));
    add(R"(\brsr(?:'|\xE2\x80\xB2|\xE2\x80\x99|\s+prime)?(?:\s+pattern)?)", fixed("qrs_morphology", "rSR'"));
    add(R"(\bpoor\s+r[\s-]+wave\s+(?:progression|growth)\b)", fixed("r_progression", "poor"));
    add(R"(\breversed\s+(?:r[\s-]+wave\s+)?progression\b)", fixed("r_progression", "reversed"));
    add(R"(\bnormal\s+r[\s-]+wave\s+progression\b)", fixed("r_progression", "normal"));
    add(R"(\br[\s-]+wave\s+progression\b[^.;]{0,60}?\b(?:is|was|appears)\s+(normal|abnormal|poor|reversed|delayed)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          out->push_back({"r_progression", Group(s, ov, n, 1)});
        });
    // P waves.
    add(R"(\b(upright|positive(?:ly\s+directed)?|inverted|negative|peaked|notched|absent|biphasic|normal|tall|broad)(?:\s*,\s*(upright|positive))?\s+p[\s-]+waves?\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 2);
          if (g.empty()) g = Group(s, ov, n, 1);
          if (g.rfind("positive", 0) == 0) g = "upright";
          out->push_back({"p_wave", g});
        });
    add(R"(\bp[\s-]+waves?(?:\s+(?:morphology|amplitude|duration))?(?:\s+in\s+(?:leads?\s+)?[a-z0-9,\s]{1,20}?)?\s+(?:is|are|appears?)\s+(?:[a-z]+\s+){0,2}?(upright|positive|inverted|negative|peaked|notched|absent|normal|biphasic)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);
          out->push_back({"p_wave", g == "positive" ? "upright" : g});
        });
    add(R"(\b(right|left)(?:\s+or\s+(right|left))?\s+atrial\s+(?:abnormality|enlargement)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          out->push_back({"p_wave", Group(s, ov, n, 1) + " atrial abnormality"});
          std::string g2 = Group(s, ov, n, 2);
          if (!g2.empty()) out->push_back({"p_wave", g2 + " atrial abnormality"});
        });
    add(R"((?<!right )(?<!left )\batrial\s+(?:enlargement|abnormality)\b)", fixed("p_wave", "atrial abnormality"));
    // T and U waves, electrolytes.
    add(R"(\bt[\s-]+waves?\s+(flattening|inversions?|changes?|abnormalit(?:y|ies))\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);
          out->push_back({"t_wave", g[0] == 'f' ? "flat" : g[0] == 'i' ? "inverted" : "T wave changes"});
        });
    add(R"(\b(inverted|flat|flattened|tented|peaked|hyperacute|biphasic|symmetric(?:al)?)\s+t[\s-]+waves?\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);
          out->push_back({"t_wave", g == "flattened" ? "flat" : g.rfind("symmetric", 0) == 0 ? "symmetric" : g});
        });
    add(R"(\bt[\s-]+waves?(?:\s+(?:morphology|shape))?(?:\s+in\s+[a-z0-9,\s]{1,30}?)?\s+(?:is|are|appears?)\s+(?:[a-z]+\s+){0,2}?(normal|inverted|flat|flattened|tented|peaked|discordant|upright|concordant)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);
          out->push_back({"t_wave", g == "flattened" ? "flat" : g});
        });
    add(R"((?<!wave )(?<!waves )\b(tenting|flattening)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          out->push_back({"t_wave", Group(s, ov, n, 1) == "tenting" ? "tented" : "flat"});
        });
    add(R"(\b(?:prominent\s+)?u[\s-]+waves?\b)", fixed("u_wave", "U waves"));
    add(R"(\b(hyperkal(?:a)?emia|hypokal(?:a)?emia|hypercalc(?:a)?emia|hypocalc(?:a)?emia)\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);  // British spellings map to US ones
          bool hyper = g.compare(0, 5, "hyper") == 0;
          bool k = g[hyper ? 5 : 4] == 'k';
          out->push_back({"electrolyte", std::string(hyper ? "hyper" : "hypo") + (k ? "kalemia" : "calcemia")});
        });
    // Infarction and ischemia.
    add(R"(\b(?:(?:acute|old|chronic|prior)\s+)?(?:(anteroseptal|anterior|inferior|lateral|posterior|septal|anterolateral|inferolateral)\s+)?(?:myocardial\s+)?infarct(?:ion)?s?\b)",
        [](const std::string& s, const PCRE2_SIZE* ov, int n, std::vector<Finding>* out) {
          std::string g = Group(s, ov, n, 1);
          out->push_back({"infarction", g.empty() ? "infarction" : g + " infarction"});
        });
    add(R"(\b(?:isch(?:a)?emi[ac])\b)", fixed("ischemia", "ischemia"));
    add(R"(\blead\s+reversal\b)", fixed("technical", "lead reversal"));
    return r;
  }();
  return *rules;
}

// ---- numbers ----------------------------------------------------------------

enum KwClass { kQtc, kQt, kPr, kQrs, kPWave, kQWave, kSt, kTWave, kVolt, kAxis, kRate, kNumKw };
const Regex& KeywordRegex() {
  static const Regex re(R"(\b(?:(qtc|corrected\s+qt)|(qt)|(pr)|(qrs)|(p[\s-]+waves?)|(q[\s-]+waves?)|(st)|(t[\s-]+waves?)|(sokolow|cornell|voltage|amplitude|r[\s-]+waves?|s[\s-]+waves?|sv1|rv5|rv6|r\s+in)|(axis)|(heart\s+rate|rate|ventricular\s+rate))\b)");
  return re;
}
// A number attaches to a keyword at most this many bytes before it (which
// also bounds the work per number).
constexpr size_t kMaxKeywordGap = 250;
struct KwHit { size_t start, end; int cls; std::string word; };

struct Unit { const char* text; const char* canonical; double scale; int cls; };  // cls: 0 time, 1 volt, 2 rate, 3 deg
const Unit kUnits[] = {
    {"beats per minute", "bpm", 1, 2}, {"beats/min", "bpm", 1, 2}, {"bpm", "bpm", 1, 2}, {"/min", "bpm", 1, 2},
    {"milliseconds", "ms", 1, 0}, {"millisecond", "ms", 1, 0}, {"msec", "ms", 1, 0}, {"ms", "ms", 1, 0},
    {"seconds", "ms", 1000, 0}, {"second", "ms", 1000, 0}, {"secs", "ms", 1000, 0}, {"sec", "ms", 1000, 0},
    {"s", "ms", 1000, 0}, {"millimeters", "mV", 0.1, 1}, {"millimetres", "mV", 0.1, 1}, {"mm", "mV", 0.1, 1},
    {"millivolts", "mV", 1, 1}, {"mv", "mV", 1, 1}, {"degrees", "deg", 1, 3}, {"degree", "deg", 1, 3},
    {"deg", "deg", 1, 3}, {"\xC2\xB0", "deg", 1, 3},
};

// The unit at `p` (after spaces), or null; *end gets its end.
const Unit* UnitAt(const std::string& low, size_t p, size_t* end) {
  size_t q = p;
  for (int k = 0; k < 3 && q < low.size() && low[q] == ' '; ++k) ++q;
  for (const Unit& u : kUnits) {
    size_t len = std::char_traits<char>::length(u.text);
    if (low.compare(q, len, u.text) != 0) continue;
    size_t e = q + len;
    if (u.text[0] != '\xC2' && e < low.size() && IsAlnum(low[e])) continue;
    *end = e;
    return &u;
  }
  return nullptr;
}

// A number at [p, *end): digits with an optional fraction.
bool NumberAt(const std::string& low, size_t p, size_t* end, double* value) {
  if (p >= low.size() || !IsDigit(low[p]) || (p > 0 && (IsAlnum(low[p - 1]) || low[p - 1] == '.'))) return false;
  size_t q = p;
  while (q < low.size() && IsDigit(low[q])) ++q;
  if (q + 1 < low.size() && low[q] == '.' && IsDigit(low[q + 1])) {
    ++q;
    while (q < low.size() && IsDigit(low[q])) ++q;
  }
  if (q - p > 12 || (q < low.size() && IsAlnum(low[q]) && !(low[q] == 'm' || low[q] == 's' || low[q] == 'b' || low[q] == 'd'))) return false;
  *value = std::strtod(low.substr(p, q - p).c_str(), nullptr);
  *end = q;
  return true;
}

struct RelWord { const char* words; Claim::Relation rel; };
// Read backwards (last word first); the longest match wins.
const RelWord kRelWords[] = {
    {"to equal or than less", Claim::kLessEq}, {"to equal or than greater", Claim::kGreaterEq},
    {"than more no", Claim::kLessEq}, {"than more not", Claim::kLessEq}, {"exceeding not", Claim::kLessEq},
    {"than less no", Claim::kGreaterEq}, {"than less not", Claim::kGreaterEq},
    {"least at", Claim::kGreaterEq}, {"most at", Claim::kLessEq}, {"to up", Claim::kLessEq},
    {"than less", Claim::kLess}, {"than shorter", Claim::kLess}, {"than lower", Claim::kLess},
    {"than fewer", Claim::kLess}, {"than smaller", Claim::kLess}, {"than greater", Claim::kGreater},
    {"than more", Claim::kGreater}, {"than longer", Claim::kGreater}, {"than higher", Claim::kGreater},
    {"than larger", Claim::kGreater}, {"below", Claim::kLess}, {"under", Claim::kLess}, {"beneath", Claim::kLess},
    {"above", Claim::kGreater}, {"over", Claim::kGreater}, {"exceeding", Claim::kGreater},
    {"exceeds", Claim::kGreater}, {"exceed", Claim::kGreater}, {"beyond", Claim::kGreater},
    {"approximately", Claim::kApprox}, {"approx", Claim::kApprox}, {"about", Claim::kApprox},
    {"around", Claim::kApprox}, {"roughly", Claim::kApprox}, {"nearly", Claim::kApprox},
    {"circa", Claim::kApprox}, {"almost", Claim::kApprox}, {"~", Claim::kApprox},
    {"\xE2\x89\x88", Claim::kApprox}, {"<=", Claim::kLessEq}, {"\xE2\x89\xA4", Claim::kLessEq},
    {">=", Claim::kGreaterEq}, {"\xE2\x89\xA5", Claim::kGreaterEq}, {"<", Claim::kLess}, {">", Claim::kGreater},
};
const char* const kFillers[] = {"of", "the", "threshold", "limit", "limits", "upper", "lower", "normal", "range",
                                "cutoff", "cut-off", "value", "values", "a", "an", "at", "is", "was", "be", "are",
                                "measuring", "measured", "measures", "duration"};

struct Token { size_t start; std::string text; };

// Up to 8 words/symbol runs before p, nearest first, not crossing `floor`.
std::vector<Token> WordsBefore(const std::string& low, size_t p, size_t floor) {
  std::vector<Token> out;
  size_t i = p;
  size_t lim = p > floor + 80 ? p - 80 : floor;
  while (out.size() < 8 && i > lim) {
    while (i > lim && IsSpace(low[i - 1])) --i;
    if (i <= lim) break;
    size_t e = i;
    unsigned char c = low[i - 1];
    if (IsAlnum(c) || c == '-') {
      while (i > lim && (IsAlnum(low[i - 1]) || low[i - 1] == '-')) --i;
    } else if (c == '<' || c == '>' || c == '=' || c == '~') {
      while (i > lim && (low[i - 1] == '<' || low[i - 1] == '>' || low[i - 1] == '=' || low[i - 1] == '~')) --i;
    } else if (c >= 0x80 && i >= lim + 3 && static_cast<unsigned char>(low[i - 3]) == 0xE2) {
      i -= 3;
    } else {
      break;  // punctuation ends the phrase
    }
    out.push_back({i, low.substr(i, e - i)});
  }
  return out;
}

// A number that quotes a threshold rather than a measurement: a threshold
// word among the relation and filler words just before it ("the Sokolow-Lyon
// cut-off of 35 mm", "below the threshold of 440 ms") or right after its
// unit ("under the 20 mm limit"), or a reference value in parentheses ("28 mm
// (normal < 35 mm)"). "within normal limits" is no threshold.
bool QuotesCriterion(const std::string& low, size_t num_start, size_t floor, size_t unit_end) {
  static const char* const kThreshold[] = {"threshold", "thresholds", "limit", "cutoff", "cut-off", "cut",
                                           "criterion", "criteria", "cutpoint", "cut-point"};
  auto is_threshold = [](const std::string& w) {
    for (const char* t : kThreshold) if (w == t) return true;
    return false;
  };
  size_t first = num_start;
  bool reference = false;
  for (const Token& t : WordsBefore(low, num_start, floor)) {
    if (is_threshold(t.text)) return true;
    bool filler = false;
    for (const char* f : kFillers) filler = filler || t.text == f;
    for (const RelWord& rw : kRelWords) filler = filler || t.text == rw.words;
    for (const char* f : {"than", "no", "not", "equal", "or", "to", "reference", "ref"}) filler = filler || t.text == f;
    if (!filler) break;
    first = t.start;
    reference = reference || t.text == "normal" || t.text == "reference" || t.text == "ref";
  }
  // A reference value in parentheses: "28 mm (normal < 35 mm)".
  size_t k = first;
  while (k > floor && low[k - 1] == ' ') --k;
  if (reference && k > floor && low[k - 1] == '(') return true;
  size_t q = unit_end;
  while (q < low.size() && q < unit_end + 3 && (low[q] == ' ' || low[q] == '-')) ++q;
  size_t e = q;
  while (e < low.size() && (IsAlnum(low[e]) || low[e] == '-')) ++e;
  return e > q && is_threshold(low.substr(q, e - q));
}

// The relation written before a number at p; *rel_start gets its start.
Claim::Relation RelationBefore(const std::string& low, size_t p, size_t floor, size_t* rel_start) {
  std::vector<Token> w = WordsBefore(low, p, floor);
  size_t k = 0;
  *rel_start = p;
  for (int guard = 0; k < w.size() && guard < 8; ++guard) {
    bool best_found = false;
    size_t best_n = 0;
    Claim::Relation best = Claim::kEquals;
    for (const RelWord& rw : kRelWords) {
      // Compare rw.words (space separated, reversed order) with w[k..].
      std::string words = rw.words;
      size_t n = 0, pos = 0;
      bool ok = true;
      while (pos <= words.size()) {
        size_t sp = words.find(' ', pos);
        if (sp == std::string::npos) sp = words.size();
        if (k + n >= w.size() || w[k + n].text != words.substr(pos, sp - pos)) { ok = false; break; }
        ++n;
        pos = sp + 1;
      }
      if (ok && n > best_n) { best_found = true; best_n = n; best = rw.rel; }
    }
    if (best_found) { *rel_start = w[k + best_n - 1].start; return best; }
    bool filler = false;
    for (const char* f : kFillers) if (w[k].text == f) filler = true;
    if (!filler) break;
    ++k;
  }
  return Claim::kEquals;
}

}  // namespace

const char* RelationName(Claim::Relation r) {
  switch (r) {
    case Claim::kEquals: return "=";
    case Claim::kApprox: return "~";
    case Claim::kLess: return "<";
    case Claim::kLessEq: return "<=";
    case Claim::kGreater: return ">";
    case Claim::kGreaterEq: return ">=";
    case Claim::kRange: return "range";
    case Claim::kQualitative: return "qualitative";
  }
  return "?";
}

std::vector<Claim> ExtractClaims(const std::string& output) {
  const std::string low = AsciiLower(output);
  const size_t n = low.size();

  // Negation, uncertainty and clause scopes (ConText, context.h); its
  // sentences are the claims' sentences too.
  const ContextScopes scopes(low);
  auto sentence_start = [&](size_t pos) { return scopes.SentenceStart(pos); };
  auto sentence_end = [&](size_t pos) { return scopes.SentenceEnd(pos); };
  const std::vector<std::pair<size_t, size_t>>& lead_breaks = scopes.LeadBreaks();

  ParsedOutput parsed = ParseOutput(output);
  auto step_of = [&](size_t pos) -> std::string {
    if (parsed.has_answer && pos >= parsed.answer_start && pos < parsed.answer_end) return "answer";
    for (size_t i = 0; i < parsed.steps.size(); ++i) {
      const Step& s = parsed.steps[i];
      size_t stop = i + 1 < parsed.steps.size() ? parsed.steps[i + 1].header_start : s.end;
      if (pos >= s.header_start && pos < std::max(stop, s.end)) return std::to_string(s.number);
    }
    return "narrative";
  };

  std::vector<Claim> claims;
  auto in_header = [&](size_t pos) {  // "**Step 4: Ischemia, Infarction & Mimics**" is no claim
    for (const Step& s : parsed.steps) if (pos >= s.header_start && pos < s.start) return true;
    return false;
  };
  auto push = [&](Claim c, size_t skip_b = 0, size_t skip_e = 0) {
    if (claims.size() >= kMaxClaims || in_header(c.start)) return;
    c.text = output.substr(c.start, c.end - c.start);
    const ContextScopes::Modifiers mod = scopes.Of(c.start, c.end, skip_b, skip_e);
    c.negated = mod.negation != nullptr;
    c.uncertain = mod.uncertainty != nullptr;
    if (mod.uncertainty) c.modifier = mod.uncertainty->trigger->phrase;
    else if (mod.negation) c.modifier = mod.negation->trigger->phrase;
    c.step = step_of(c.start);
    claims.push_back(std::move(c));
  };

  // Qualitative findings.
  struct Pending { size_t start, end; Finding f; };
  std::vector<Pending> found;
  for (const Rule& rule : Rules()) {
    rule.re->ForEach(low, [&](const PCRE2_SIZE* ov, int cnt) {
      if (found.size() >= kMaxClaims) return;
      std::vector<Finding> fs;
      rule.fn(low, ov, cnt, &fs);
      for (Finding& f : fs) found.push_back({ov[0], ov[1], std::move(f)});
    });
  }
  std::sort(found.begin(), found.end(), [](const Pending& a, const Pending& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  for (size_t i = 0; i < found.size(); ++i) {
    const Pending& p = found[i];
    Claim c;
    c.kind = p.f.kind;
    c.qualifier = p.f.qualifier;
    c.start = p.start;
    c.end = p.end;
    c.relation = Claim::kQualitative;
    // Leads after the finding up to the next finding (or the sentence end,
    // at most 200 bytes); else before it, back to the previous finding.
    // Leads named inside the finding ("P waves in lead II are upright") come
    // first. A lead list ends where the finding switches ("upright in I and
    // II and inverted in aVR"); the switched finding is a claim of its own.
    size_t stop = p.end;
    LeadSwitch sw;
    if (LeadKind(c.kind)) {
      size_t next = i + 1;
      while (next < found.size() && found[next].start <= p.start) ++next;
      auto lb = std::lower_bound(lead_breaks.begin(), lead_breaks.end(), std::make_pair(p.end, size_t{0}));
      stop = std::min({sentence_end(p.end), next < found.size() ? found[next].start : n, p.end + 200,
                       lb != lead_breaks.end() ? lb->first : n});
      sw = FindLeadSwitch(output, low, p.end, stop);
      uint16_t mask = ParseLeads(output, low, p.start, p.end);
      if (mask == 0 && stop > p.end) mask = ParseLeads(output, low, p.end, sw.found ? sw.start : stop);
      if (mask == 0) {
        size_t from = std::max(sentence_start(p.start), p.start > 150 ? p.start - 150 : size_t{0});
        size_t prev = i;
        while (prev > 0 && found[prev - 1].end > p.start) --prev;
        if (prev > 0) from = std::max(from, found[prev - 1].end);
        auto pb = std::upper_bound(lead_breaks.begin(), lead_breaks.end(), std::make_pair(p.start, n));
        if (pb != lead_breaks.begin() && (pb - 1)->second <= p.start) from = std::max(from, (pb - 1)->second);
        if (from < p.start) mask = ParseLeads(output, low, from, p.start);
      }
      c.leads = LeadList(mask);
    }
    const std::string kind = c.kind;
    // "absent P waves": the cue word is the finding itself, not its negation.
    if (c.qualifier == "absent") push(std::move(c), p.start, p.end);
    else push(std::move(c));
    while (sw.found) {
      const LeadSwitch after = FindLeadSwitch(output, low, sw.end, stop);
      const size_t seg_end = after.found ? after.start : stop;
      const uint16_t mask = ParseLeads(output, low, sw.end, seg_end);
      const std::string q = SwitchedQualifier(kind, sw.word);
      if (mask != 0 && !q.empty()) {
        Claim s2;
        s2.kind = kind;
        s2.qualifier = q;
        s2.relation = Claim::kQualitative;
        s2.start = sw.start;
        s2.end = seg_end;
        while (s2.end > s2.start && !IsAlnum(low[s2.end - 1])) --s2.end;
        if (s2.end >= s2.start + 4 && low.compare(s2.end - 4, 4, " and") == 0) s2.end -= 4;
        while (s2.end > s2.start && !IsAlnum(low[s2.end - 1])) --s2.end;
        s2.leads = LeadList(mask);
        push(std::move(s2));
      }
      sw = after;
    }
  }

  // Numbers with units, attached to the nearest keyword of their sentence.
  std::vector<KwHit> kws;
  KeywordRegex().ForEach(low, [&](const PCRE2_SIZE* ov, int cnt) {
    for (int g = 1; g < cnt && g <= kNumKw; ++g) {
      if (ov[2 * g] != PCRE2_UNSET) { kws.push_back({ov[0], ov[1], g - 1, Squash(low.substr(ov[0], ov[1] - ov[0]))}); break; }
    }
  });
  size_t kw_next = 0;
  long last[kNumKw];
  std::fill(last, last + kNumKw, -1L);
  size_t prev_num_end = 0;
  for (size_t i = 0; i < n && claims.size() < kMaxClaims; ++i) {
    double v = 0;
    size_t num_end = 0;
    if (!IsDigit(low[i])) continue;
    if (!NumberAt(low, i, &num_end, &v)) {
      while (i + 1 < n && (IsAlnum(low[i + 1]) || low[i + 1] == '.')) ++i;
      continue;
    }
    size_t p = i;
    i = num_end - 1;
    while (kw_next < kws.size() && kws[kw_next].start < p) { last[kws[kw_next].cls] = static_cast<long>(kw_next); ++kw_next; }
    size_t sent = sentence_start(p);
    size_t sent_e = sentence_end(p);
    // Sign (axis): "-30", "+90", "−30" (U+2212).
    size_t num_start = p;
    if (p >= 1 && (low[p - 1] == '-' || low[p - 1] == '+') && (p < 2 || !IsAlnum(low[p - 2]))) {
      if (low[p - 1] == '-') v = -v;
      num_start = p - 1;
    } else if (p >= 3 && low.compare(p - 3, 3, "\xE2\x88\x92") == 0) {
      v = -v;
      num_start = p - 3;
    }
    size_t unit_end = 0;
    const Unit* unit = UnitAt(low, num_end, &unit_end);
    size_t end = unit ? unit_end : num_end;
    // A range: "0.12-0.20 s", "60 to 100 bpm", "between 60 and 100 bpm".
    double hi = NAN;
    bool between = false;
    {
      std::vector<Token> before = WordsBefore(low, num_start, sent);
      between = !before.empty() && before[0].text == "between";
      size_t q = end;
      while (q < n && q < end + 3 && low[q] == ' ') ++q;
      size_t after = q;
      if (q < n && low[q] == '-') after = q + 1;
      else if (low.compare(q, 3, "\xE2\x80\x93") == 0 || low.compare(q, 3, "\xE2\x80\x94") == 0) after = q + 3;
      else if (low.compare(q, 3, "to ") == 0) after = q + 3;
      else if (between && low.compare(q, 4, "and ") == 0) after = q + 4;
      if (after != q) {
        while (after < n && after < q + 8 && low[after] == ' ') ++after;
        double v2 = 0;
        size_t e2 = 0, u2_end = 0;
        if (NumberAt(low, after, &e2, &v2)) {
          const Unit* u2 = UnitAt(low, e2, &u2_end);
          if (u2 != nullptr && (unit == nullptr || unit->cls == u2->cls)) {
            if (unit == nullptr) { unit = u2; unit_end = u2_end; }
            hi = v2;
            end = u2_end;
            i = u2_end - 1;
          }
        }
      }
    }
    if (unit == nullptr) {
      // "heart rate of 83" without a unit.
      long r = last[kRate];
      if (r < 0 || kws[r].start < sent || p - kws[r].end > 30) continue;
    }
    Claim c;
    c.end = end;
    c.value = v;
    c.value_hi = hi;
    size_t rel_start = num_start;
    c.relation = std::isnan(hi) ? RelationBefore(low, num_start, sent, &rel_start) : Claim::kRange;
    const size_t relation_words = rel_start;  // "no more than" is a relation, not a negation
    c.criterion = QuotesCriterion(low, num_start, sent, unit ? unit_end : num_end);
    if (between) {
      std::vector<Token> before = WordsBefore(low, num_start, sent);
      rel_start = before[0].start;
    }
    c.start = rel_start;
    int ucls = unit ? unit->cls : 2;
    std::string kind;
    long kw = -1;
    auto pick = [&](std::initializer_list<int> classes) {
      for (int cl : classes) {
        long h = last[cl];
        if (h >= 0 && kws[h].start >= sent && kws[h].start + kMaxKeywordGap >= p &&
            (kw < 0 || kws[h].start > kws[kw].start)) kw = h;
      }
    };
    if (unit) {
      c.unit = unit->canonical;
      c.unit_original = output.substr(unit_end - std::char_traits<char>::length(unit->text),
                                      std::char_traits<char>::length(unit->text));
    } else {
      c.unit = "bpm";
    }
    if (unit && unit->cls == 1 && low.compare(unit_end, 2, "/s") == 0) {
      kind = "paper_speed"; c.unit = "mm/s"; c.unit_original = output.substr(unit_end - 2, 4);
      c.end = unit_end + 2; c.value = v; c.value_hi = hi;
    } else if (unit && unit->cls == 1 && low.compare(unit_end, 3, "/mv") == 0) {
      kind = "calibration"; c.unit = "mm/mV"; c.unit_original = output.substr(unit_end - 2, 5);
      c.end = unit_end + 3;
    } else if (ucls == 2) {
      kind = "heart_rate"; pick({kRate});
    } else if (ucls == 3) {
      kind = "axis"; pick({kAxis});
    } else if (ucls == 0) {
      pick({kQtc, kQt, kPr, kQrs, kPWave, kQWave});
      if (kw < 0) continue;  // a duration of nothing we know
      static const char* const kKinds[] = {"qtc", "qt", "pr", "qrs", "p_wave", "q_wave"};
      kind = kKinds[kws[kw].cls];
    } else {
      pick({kSt, kVolt, kPWave, kQWave, kTWave});
      if (kw < 0) continue;
      int cl = kws[kw].cls;
      kind = cl == kSt ? "st" : cl == kPWave ? "p_wave" : cl == kQWave ? "q_wave" : cl == kTWave ? "t_wave" : "voltage";
    }
    if (kind != "paper_speed" && kind != "calibration" && unit) {
      c.value = v * unit->scale;
      if (!std::isnan(hi)) c.value_hi = hi * unit->scale;
    }
    if (kind == "paper_speed" || kind == "calibration") {
      c.qualifier = kind == "paper_speed" ? "paper speed" : "calibration";
    } else {
      // The span starts at the keyword when it is close and not already
      // claimed by the previous number.
      if (kw >= 0 && kws[kw].start + 100 >= c.start && kws[kw].start >= prev_num_end) c.start = kws[kw].start;
      size_t from = kw >= 0 ? kws[kw].start : (c.start > sent + 60 ? c.start - 60 : sent);
      std::string ctx = num_start > from ? low.substr(from, num_start - from) : std::string();  // < kMaxKeywordGap
      if (kind == "voltage" && kw >= 0) c.qualifier = kws[kw].word;
      else if (kind == "st") c.qualifier = ctx.find("depress") != std::string::npos ? "depression"
                                         : ctx.find("elevat") != std::string::npos ? "elevation" : "deviation";
      else if (kw >= 0) {
        static const char* const kStates[] = {"prolonged", "narrow", "wide", "short", "borderline", "threshold", "normal"};
        for (const char* s : kStates) if (ctx.find(s) != std::string::npos) { c.qualifier = s; break; }
      }
      if (LeadKind(kind)) {
        size_t from_l = kw >= 0 ? kws[kw].start : c.start;
        from_l = std::max(sent, from_l > 20 ? from_l - 20 : size_t{0});  // "SV1 + RV5 is 38 mm"
        uint16_t mask = ParseLeads(output, low, from_l, c.end);
        if (mask == 0) mask = ParseLeads(output, low, c.end, std::min(sent_e, c.end + 40));
        c.leads = LeadList(mask);
      }
    }
    c.kind = kind;
    prev_num_end = c.end;
    push(std::move(c), relation_words, num_start);
  }

  std::stable_sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  return claims;
}

}  // namespace ecgr1
