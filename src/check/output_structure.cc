// output_structure.cc — protocol structure of an ECG-R1 output (see the header).
//
// One forward pass finds every step header, so 10^6 "**Step 1" headers or a
// megabyte-long line cost linear time; only the first kMaxSteps steps are
// stored and each problem is reported once.
#include "check/output_structure.h"

#include <algorithm>
#include <exception>
#include <set>
#include <string_view>

#include "base/error.h"
#include "check/rewards.h"
#include "io/json.h"
#include "text/utf8.h"

namespace ecgr1 {
namespace {

constexpr size_t kNpos = std::string_view::npos;

bool IsDigit(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }

// "**Step" with ASCII case folding (the evidence reward's header rule,
// without its Unicode look-alikes), >= 1 whitespace, >= 1 digit. Returns the
// offset just after the digits, or kNpos; the number in *n.
size_t MatchHeader(std::string_view s, size_t h, long* n) {
  static constexpr std::string_view kWord = "**step";
  if (s.size() - h < kWord.size()) return kNpos;
  for (size_t k = 0; k < kWord.size(); ++k) {
    char c = s[h + k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != kWord[k]) return kNpos;
  }
  size_t i = h + kWord.size();
  const size_t w0 = i;
  while (size_t k = PySpaceAt(s, i)) i += k;
  if (i == w0 || !IsDigit(s, i)) return kNpos;
  long v = 0;
  while (IsDigit(s, i)) {
    if (v < 2147483647L) v = std::min(2147483647L, v * 10 + (s[i] - '0'));
    ++i;
  }
  *n = v;
  return i;
}

struct Header {
  size_t start, digits_end;
  long number;
};

// Trimmed [b, e) of s[b, e).
void Trim(std::string_view s, size_t* b, size_t* e) {
  size_t sb, se;
  PyStripRange(s.substr(*b, *e - *b), &sb, &se);
  *e = *b + se;
  *b += sb;
}

}  // namespace

ParsedOutput ParseOutput(const std::string& text) {
  ParsedOutput out;
  const std::string_view s(text);
  auto problem = [&out](std::string p) {
    for (const auto& q : out.problems)
      if (q == p) return;
    out.problems.push_back(std::move(p));
  };

  // The think block: first <think>, first </think> after it. Without a
  // <think> (a chat template may have put it in the prompt) the block is
  // everything before the first </think> or <answer>.
  const size_t open = s.find("<think>");
  out.has_think = open != kNpos;
  const size_t from = out.has_think ? open + 7 : 0;
  const size_t close = s.find("</think>", from);
  out.think_closed = close != kNpos;
  out.think_start = from;
  if (out.think_closed) {
    out.think_end = close;
  } else if (out.has_think) {
    out.think_end = s.size();
  } else {
    const size_t a = s.find("<answer>");
    out.think_end = a == kNpos ? s.size() : a;
  }
  if (!out.has_think) problem("no <think>");
  else if (!out.think_closed) problem("no </think> (truncated?)");

  // Step headers inside the think block.
  const std::string_view think = s.substr(0, out.think_end);
  std::vector<Header> headers;  // only the first kMaxSteps + 1 are needed
  for (size_t p = think.find('*', out.think_start); p != kNpos; p = think.find('*', p + 1)) {
    long n = 0;
    const size_t d = MatchHeader(think, p, &n);
    if (d == kNpos) continue;
    ++out.step_headers;
    if (headers.size() <= kMaxSteps) headers.push_back({p, d, n});
    p = d - 1;
  }
  if (!headers.empty()) {
    size_t b = out.think_start, e = headers[0].start;
    Trim(s, &b, &e);
    if (e > b) problem("text in <think> before the first step");
  }
  for (size_t k = 0; k < headers.size() && k < kMaxSteps; ++k) {
    const Header& h = headers[k];
    const size_t seg_end = k + 1 < headers.size() ? headers[k + 1].start : out.think_end;
    Step st;
    st.number = h.number;
    st.header_start = h.start;
    // Title: after the number up to the first "**" or newline of the segment.
    size_t i = h.digits_end;
    size_t j = i;
    while (j < seg_end && s[j] != '\n' && !(s[j] == '*' && j + 1 < seg_end && s[j + 1] == '*')) ++j;
    size_t tb = i, te = j;
    Trim(s, &tb, &te);
    while (tb < te && (s[tb] == ':' || s[tb] == '.')) ++tb;
    Trim(s, &tb, &te);
    st.title = std::string(s.substr(tb, te - tb));
    if (j < seg_end && s[j] == '*') {
      j += 2;  // the closing "**"
    } else if (j == seg_end) {
      // No newline or "**" after the header: no title, the text follows the number.
      st.title.clear();
      j = i;
      while (j < seg_end && (s[j] == ':' || s[j] == '.' || PySpaceAt(s, j) > 0)) j += std::max<size_t>(1, PySpaceAt(s, j));
    }
    size_t b = j, e = seg_end;
    Trim(s, &b, &e);
    st.start = b;
    st.end = e;
    st.text = std::string(s.substr(b, e - b));
    out.steps.push_back(std::move(st));
  }
  if (out.step_headers > kMaxSteps)
    problem(StrFormat("%zu step headers (only the first %zu kept)", out.step_headers, kMaxSteps));

  // Steps 1-6 each once, in order, non-empty; nothing else.
  std::set<long> seen, repeated;
  bool ordered = true;
  long last = 0;
  for (const Step& st : out.steps) {
    if (st.number < 1 || st.number > 6) {
      problem(StrFormat("unexpected step %ld", st.number));
      continue;
    }
    if (!seen.insert(st.number).second) repeated.insert(st.number);
    if (st.number <= last) ordered = false;
    last = st.number;
    if (st.text.empty()) problem(StrFormat("step %ld empty", st.number));
  }
  for (long n = 1; n <= 6; ++n)
    if (!seen.count(n)) problem(StrFormat("step %ld missing", n));
  for (long n : repeated) problem(StrFormat("step %ld repeated", n));
  if (!ordered) problem("steps out of order");

  // Narrative: after </think> up to the first <answer> after it.
  const size_t answer_open = s.find("<answer>");
  if (out.think_closed) {
    size_t b = close + 8;
    const size_t a = s.find("<answer>", b);
    size_t e = a == kNpos ? s.size() : a;
    Trim(s, &b, &e);
    out.narrative_start = b;
    out.narrative_end = e;
    out.narrative = std::string(s.substr(b, e - b));
    if (out.narrative.empty()) problem("no narrative");
  }

  // Labels: the first <answer>…</answer> anywhere (as the diagnosis reward).
  if (answer_open == kNpos) {
    problem("no <answer>");
  } else {
    const size_t ab = answer_open + 8;
    const size_t ae = s.find("</answer>", ab);
    if (ae == kNpos) {
      problem("no </answer> (truncated?)");
    } else {
      out.has_answer = true;
      out.answer_start = ab;
      out.answer_end = ae;
      size_t a = ab;
      for (;;) {
        size_t semi = s.find(';', a);
        if (semi == kNpos || semi > ae) semi = ae;
        size_t b = a, e = semi;
        Trim(s, &b, &e);
        if (e > b) out.answer_labels.emplace_back(s.substr(b, e - b));
        if (semi == ae) break;
        a = semi + 1;
      }
      if (out.answer_labels.empty()) problem("empty <answer>");
      if (out.think_closed && answer_open < close) problem("<answer> inside <think>");
    }
  }
  return out;
}

std::string ModelTextFromInput(const std::string& bytes) {
  size_t i = 0;
  while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) ++i;
  if (i < bytes.size() && bytes[i] == '{') {
    try {
      const nlohmann::json j = ParseJson(bytes, "input", ExitCode::kBadInput);
      if (j.is_object()) {
        auto it = j.find("text");
        if (it != j.end() && it->is_string()) return it->get<std::string>();
      }
    } catch (const std::exception&) {
      // Not JSON (or not ours): the bytes are the model text.
    }
  }
  std::string out;
  out.reserve(bytes.size());
  utf8::AppendSanitized(bytes, &out);
  return out;
}

}  // namespace ecgr1
