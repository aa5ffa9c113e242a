// context.cc — see context.h.
#include "check/context.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace ecgr1 {
namespace {

// No scope reaches farther than this (a sentence of model text is far
// shorter); it also bounds the work per trigger on hostile input.
constexpr size_t kMaxScope = 2000;

bool IsWordChar(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\''; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsBlank(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '-'; }

struct Word { size_t start, end; };

std::vector<Word> Words(const std::string& low) {
  std::vector<Word> w;
  size_t i = 0;
  while (i < low.size()) {
    if (!IsWordChar(low[i])) { ++i; continue; }
    size_t j = i;
    while (j < low.size() && IsWordChar(low[j])) ++j;
    w.push_back({i, j});
    i = j;
  }
  return w;
}

// The table, by first word; each phrase split into words; longest first.
struct Phrase { const ContextTrigger* trigger; std::vector<std::string> words; };
const std::unordered_map<std::string, std::vector<Phrase>>& PhrasesByFirstWord() {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string, std::vector<Phrase>>;
    for (const ContextTrigger& t : ContextTriggerTable()) {
      Phrase p{&t, {}};
      std::string_view s(t.phrase);
      while (!s.empty()) {
        const size_t sp = s.find(' ');
        p.words.emplace_back(s.substr(0, sp));
        s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
      }
      (*m)[p.words[0]].push_back(std::move(p));
    }
    for (auto& [first, v] : *m)
      std::stable_sort(v.begin(), v.end(), [](const Phrase& a, const Phrase& b) { return a.words.size() > b.words.size(); });
    return m;
  }();
  return *index;
}

// Verbs that make the words after a conjunction a clause of their own.
// `strict`: auxiliaries and copulas only (after a bare "and").
bool VerbWord(std::string_view w, bool strict) {
  static const char* const kAux[] = {"is", "are", "was", "were", "has", "have", "had", "shows", "show",
                                     "demonstrates", "demonstrate", "reveals", "reveal", "appears", "appear",
                                     "remains", "remain", "measures", "measure"};
  static const char* const kMore[] = {"be", "been", "showed", "indicates", "indicate", "suggests", "suggest",
                                      "rules", "rule", "ruled", "excludes", "exclude", "seen", "noted",
                                      "exhibits", "exhibit", "displays", "display", "meets", "meet", "confirms",
                                      "confirm", "supports", "support", "argues", "argue", "makes", "make", "can",
                                      "cannot", "may", "might", "should"};
  for (const char* v : kAux) if (w == v) return true;
  if (strict) return false;
  for (const char* v : kMore) if (w == v) return true;
  return false;
}

bool VerbIn(const std::string& low, size_t b, size_t e, bool strict, size_t max_words) {
  size_t i = b, seen = 0;
  while (i < e && seen < max_words) {
    while (i < e && !IsWordChar(low[i])) ++i;
    size_t j = i;
    while (j < e && IsWordChar(low[j])) ++j;
    if (j > i) {
      ++seen;
      if (VerbWord(std::string_view(low).substr(i, j - i), strict)) return true;
    }
    i = j;
  }
  return false;
}

bool WordAt(const std::string& low, size_t p, std::string_view w) {
  return low.compare(p, w.size(), w) == 0 && (p + w.size() >= low.size() || !IsWordChar(low[p + w.size()])) &&
         (p == 0 || !IsWordChar(low[p - 1]));
}

}  // namespace

ContextScopes::ContextScopes(const std::string& low) : low_(low) {
  const size_t n = low.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = low[i];
    if (c == '!' || c == '?' || c == ';' || c == '\n' || c == '\0' || (c == '.' && !(i + 1 < n && IsDigit(low[i + 1]))))
      sentence_ends_.push_back(i);
  }

  // Triggers, longest first at each word; pseudo triggers hide their words.
  const std::vector<Word> words = Words(low);
  const auto& index = PhrasesByFirstWord();
  std::vector<ContextMatch> all;
  for (size_t i = 0; i < words.size();) {
    auto it = index.find(low.substr(words[i].start, words[i].end - words[i].start));
    size_t taken = 0;
    if (it != index.end()) {
      for (const Phrase& p : it->second) {
        if (i + p.words.size() > words.size()) continue;
        bool ok = true;
        for (size_t k = 1; k < p.words.size() && ok; ++k) {
          const Word& w = words[i + k];
          ok = low.compare(w.start, w.end - w.start, p.words[k]) == 0 && w.end - w.start == p.words[k].size();
          for (size_t g = words[i + k - 1].end; ok && g < w.start; ++g) ok = IsBlank(low[g]);
        }
        if (!ok) continue;
        ContextMatch m;
        m.start = words[i].start;
        m.end = words[i + p.words.size() - 1].end;
        m.trigger = p.trigger;
        all.push_back(m);
        taken = p.words.size();
        break;
      }
    }
    i += taken > 0 ? taken : 1;
  }

  // Scope stops: termination terms, connectives, ':' and our clause joins.
  for (const ContextMatch& m : all) {
    ContextCategory c = m.trigger->category;
    if (c == ContextCategory::kConclusion) {  // a clause of its own only after a comma / ';' / ':'
      size_t k = m.start;
      while (k > 0 && IsBlank(low[k - 1])) --k;
      const bool opens_clause = k > 0 && (low[k - 1] == ',' || low[k - 1] == ';' || low[k - 1] == ':');
      if (!opens_clause) continue;
      c = ContextCategory::kTerminate;
    }
    if (c == ContextCategory::kTerminate || c == ContextCategory::kConnective) {
      stops_.push_back({m.start, m.end});
      if (c == ContextCategory::kTerminate) lead_breaks_.push_back({m.start, m.end});
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const char c = low[i];
    if (c == ':' || c == ';') {
      stops_.push_back({i, i + 1});
      lead_breaks_.push_back({i, i + 1});
      continue;
    }
    const bool comma = c == ',';
    if (!comma && !WordAt(low, i, "and")) continue;
    size_t q = comma ? i + 1 : i;
    while (comma && q < n && IsBlank(low[q])) ++q;
    if (comma && WordAt(low, q, "with")) {  // ", with" starts a clause of its own
      stops_.push_back({i, q + 4});
      lead_breaks_.push_back({i, q + 4});
      continue;
    }
    if (!WordAt(low, q, "and")) continue;
    const size_t after = q + 3;
    const size_t se = SentenceEnd(after);
    bool clause;
    if (comma) {
      // ", and" ends the last item of a list ("rules out BBB, WPW, and IVCD":
      // an earlier comma in the sentence and no verb after it); otherwise it
      // starts a new clause ("No ST depression, and deep Q waves in V1").
      const size_t from = SentenceStart(i);
      const bool list = low.find(',', from) < i;
      clause = !list || VerbIn(low, after, std::min(se, after + 200), false, 1000);
    } else {
      // A bare "and" starts a clause when an auxiliary follows within 5 words
      // before any punctuation, and either a verb precedes it ("the rhythm is
      // sinus and delta waves are absent") or a determiner follows it ("no Q
      // waves and the ST segments are isoelectric"); otherwise it joins two
      // subjects ("ST elevation and Q waves are absent").
      size_t pe = after;
      while (pe < se && low[pe] != ',' && low[pe] != '(' && low[pe] != ')') ++pe;
      size_t w = after;
      while (w < n && IsBlank(low[w])) ++w;
      bool determiner = false;
      for (const char* d : {"the", "a", "an", "there", "this", "these", "it", "its", "lead", "leads"})
        determiner = determiner || WordAt(low, w, d);
      const size_t from = std::max(SentenceStart(q), q > kMaxScope ? q - kMaxScope : size_t{0});
      clause = VerbIn(low, after, pe, true, 5) && (determiner || VerbIn(low, from, q, true, 1000));
    }
    if (clause) {
      stops_.push_back({comma ? i : q, after});
      lead_breaks_.push_back({comma ? i : q, after});
    }
    i = after - 1;
  }
  std::sort(stops_.begin(), stops_.end());
  std::sort(lead_breaks_.begin(), lead_breaks_.end());

  // Scopes of the negation and uncertainty triggers.
  auto first_stop_from = [&](size_t p) -> size_t {
    auto it = std::lower_bound(stops_.begin(), stops_.end(), std::make_pair(p, size_t{0}));
    return it == stops_.end() ? n : it->first;
  };
  auto last_stop_before = [&](size_t p) -> size_t {  // end of the last stop ending at or before p
    auto it = std::lower_bound(stops_.begin(), stops_.end(), std::make_pair(p, size_t{0}));
    while (it != stops_.begin()) {
      --it;
      if (it->second <= p) return it->second;
      if (p - it->first > 400) break;
    }
    return 0;
  };
  for (const ContextMatch& m0 : all) {
    const ContextCategory c = m0.trigger->category;
    if (c != ContextCategory::kNegation && c != ContextCategory::kUncertainty) continue;
    ContextMatch m = m0;
    const size_t ss = SentenceStart(m.start), se = SentenceEnd(m.start);
    const ContextDirection d = m.trigger->direction;
    if (d == ContextDirection::kForward) {
      m.scope_begin = m.end;
      m.scope_end = std::min({se, first_stop_from(m.end), m.end + kMaxScope});
    } else if (d == ContextDirection::kBackward) {
      m.scope_end = m.start;
      size_t b = std::max({ss, last_stop_before(m.start), m.start > kMaxScope ? m.start - kMaxScope : size_t{0}});
      // Back to the nearest ',' or "and" that follows a clause with its own
      // verb, or to "with" / "without".
      for (size_t p = m.start; p > b; --p) {
        const size_t q = p - 1;
        if (WordAt(low, q, "with")) { b = q + 4; break; }
        if (WordAt(low, q, "without")) { b = q + 7; break; }
        if ((low[q] == ',' || WordAt(low, q, "and")) && VerbIn(low, b, q, true, 1000)) { b = q + 1; break; }
      }
      m.scope_begin = b;
    } else {  // both ways, to the clause's punctuation
      size_t b = std::max({ss, last_stop_before(m.start), m.start > kMaxScope ? m.start - kMaxScope : size_t{0}});
      for (size_t p = m.start; p > b; --p)
        if (low[p - 1] == ',' || low[p - 1] == '(' || low[p - 1] == ')') { b = p; break; }
      size_t e = std::min({se, first_stop_from(m.end), m.end + kMaxScope});
      for (size_t p = m.end; p < e; ++p)
        if (low[p] == ',' || low[p] == '(' || low[p] == ')') { e = p; break; }
      m.scope_begin = b;
      m.scope_end = e;
    }
    matches_.push_back(m);
  }
}

size_t ContextScopes::SentenceStart(size_t pos) const {
  auto it = std::upper_bound(sentence_ends_.begin(), sentence_ends_.end(), pos);
  if (it == sentence_ends_.begin()) return 0;
  const size_t s = *(it - 1) + 1;
  return s > pos ? pos : s;
}

size_t ContextScopes::SentenceEnd(size_t pos) const {
  auto it = std::lower_bound(sentence_ends_.begin(), sentence_ends_.end(), pos);
  return it == sentence_ends_.end() ? low_.size() : *it;
}

ContextScopes::Modifiers ContextScopes::Of(size_t start, size_t end, size_t skip_b, size_t skip_e) const {
  Modifiers out;
  auto reaches = [&](const ContextMatch& m) {
    if (m.start < skip_e && m.end > skip_b) return false;
    switch (m.trigger->direction) {
      case ContextDirection::kForward: return m.start < end && m.scope_end > start;
      case ContextDirection::kBackward: return m.end > start && m.scope_begin <= start;
      default: return m.scope_begin < end && m.scope_end > start;
    }
  };
  auto take = [&](const ContextMatch& m) {
    if (!reaches(m)) return;
    if (m.trigger->category == ContextCategory::kNegation) { if (!out.negation) out.negation = &m; }
    else if (!out.uncertainty) out.uncertainty = &m;
  };
  // At most this many triggers on either side are looked at (a hostile text
  // of nothing but triggers stays linear).
  constexpr int kLook = 48;
  auto it = std::lower_bound(matches_.begin(), matches_.end(), end,
                             [](const ContextMatch& m, size_t p) { return m.start < p; });
  auto back = it;
  for (int k = 0; k < kLook && back != matches_.begin(); ++k) take(*--back);
  const size_t se = SentenceEnd(start);
  for (int k = 0; k < kLook && it != matches_.end() && it->start <= se; ++k, ++it) take(*it);
  return out;
}

}  // namespace ecgr1
