// rewards.cc — ECG-R1's three RL rewards and the solution parser, as
// ../shared/spec/evidence.md §1-§3 defines them. Every Python regular
// expression of the original is reproduced by a hand-written forward scan;
// each scan says which pattern it stands for and which quirks of the Python
// match it keeps. All scans are linear in the input (no backtracking, no
// recursion): the patterns are simple enough that the places where Python
// would backtrack provably cannot change the result (argued at each scan).
#include "check/rewards.h"

#include <algorithm>
#include <cstdint>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "base/error.h"
#include "text/utf8.h"

namespace ecgr1 {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// Generated from Python 3.11.7 unicodedata (Unicode 14.0.0): every code point c whose
// str.lower() is one other code point, as runs {first, last, stride, delta}:
// lower(c) = c + delta for c in [first, last] with (c - first) % stride == 0.
// (U+0130, the one code point lowering to two, is handled in PyLower.)
struct LowerRun { uint32_t first, last; uint8_t stride; int32_t delta; };
constexpr LowerRun kLowerRuns[] = {
    {0x41, 0x5A, 1, 32}, {0xC0, 0xD6, 1, 32}, {0xD8, 0xDE, 1, 32}, {0x100, 0x12E, 2, 1}, {0x132, 0x136, 2, 1},
    {0x139, 0x147, 2, 1}, {0x14A, 0x176, 2, 1}, {0x178, 0x178, 1, -121}, {0x179, 0x17D, 2, 1}, {0x181, 0x181, 1, 210},
    {0x182, 0x184, 2, 1}, {0x186, 0x186, 1, 206}, {0x187, 0x187, 1, 1}, {0x189, 0x18A, 1, 205}, {0x18B, 0x18B, 1, 1},
    {0x18E, 0x18E, 1, 79}, {0x18F, 0x18F, 1, 202}, {0x190, 0x190, 1, 203}, {0x191, 0x191, 1, 1},
    {0x193, 0x193, 1, 205}, {0x194, 0x194, 1, 207}, {0x196, 0x196, 1, 211}, {0x197, 0x197, 1, 209},
    {0x198, 0x198, 1, 1}, {0x19C, 0x19C, 1, 211}, {0x19D, 0x19D, 1, 213}, {0x19F, 0x19F, 1, 214},
    {0x1A0, 0x1A4, 2, 1}, {0x1A6, 0x1A6, 1, 218}, {0x1A7, 0x1A7, 1, 1}, {0x1A9, 0x1A9, 1, 218}, {0x1AC, 0x1AC, 1, 1},
    {0x1AE, 0x1AE, 1, 218}, {0x1AF, 0x1AF, 1, 1}, {0x1B1, 0x1B2, 1, 217}, {0x1B3, 0x1B5, 2, 1},
    {0x1B7, 0x1B7, 1, 219}, {0x1B8, 0x1B8, 1, 1}, {0x1BC, 0x1BC, 1, 1}, {0x1C4, 0x1C4, 1, 2}, {0x1C5, 0x1C5, 1, 1},
    {0x1C7, 0x1C7, 1, 2}, {0x1C8, 0x1C8, 1, 1}, {0x1CA, 0x1CA, 1, 2}, {0x1CB, 0x1DB, 2, 1}, {0x1DE, 0x1EE, 2, 1},
    {0x1F1, 0x1F1, 1, 2}, {0x1F2, 0x1F4, 2, 1}, {0x1F6, 0x1F6, 1, -97}, {0x1F7, 0x1F7, 1, -56}, {0x1F8, 0x21E, 2, 1},
    {0x220, 0x220, 1, -130}, {0x222, 0x232, 2, 1}, {0x23A, 0x23A, 1, 10795}, {0x23B, 0x23B, 1, 1},
    {0x23D, 0x23D, 1, -163}, {0x23E, 0x23E, 1, 10792}, {0x241, 0x241, 1, 1}, {0x243, 0x243, 1, -195},
    {0x244, 0x244, 1, 69}, {0x245, 0x245, 1, 71}, {0x246, 0x24E, 2, 1}, {0x370, 0x372, 2, 1}, {0x376, 0x376, 1, 1},
    {0x37F, 0x37F, 1, 116}, {0x386, 0x386, 1, 38}, {0x388, 0x38A, 1, 37}, {0x38C, 0x38C, 1, 64},
    {0x38E, 0x38F, 1, 63}, {0x391, 0x3A1, 1, 32}, {0x3A3, 0x3AB, 1, 32}, {0x3CF, 0x3CF, 1, 8}, {0x3D8, 0x3EE, 2, 1},
    {0x3F4, 0x3F4, 1, -60}, {0x3F7, 0x3F7, 1, 1}, {0x3F9, 0x3F9, 1, -7}, {0x3FA, 0x3FA, 1, 1},
    {0x3FD, 0x3FF, 1, -130}, {0x400, 0x40F, 1, 80}, {0x410, 0x42F, 1, 32}, {0x460, 0x480, 2, 1}, {0x48A, 0x4BE, 2, 1},
    {0x4C0, 0x4C0, 1, 15}, {0x4C1, 0x4CD, 2, 1}, {0x4D0, 0x52E, 2, 1}, {0x531, 0x556, 1, 48},
    {0x10A0, 0x10C5, 1, 7264}, {0x10C7, 0x10C7, 1, 7264}, {0x10CD, 0x10CD, 1, 7264}, {0x13A0, 0x13EF, 1, 38864},
    {0x13F0, 0x13F5, 1, 8}, {0x1C90, 0x1CBA, 1, -3008}, {0x1CBD, 0x1CBF, 1, -3008}, {0x1E00, 0x1E94, 2, 1},
    {0x1E9E, 0x1E9E, 1, -7615}, {0x1EA0, 0x1EFE, 2, 1}, {0x1F08, 0x1F0F, 1, -8}, {0x1F18, 0x1F1D, 1, -8},
    {0x1F28, 0x1F2F, 1, -8}, {0x1F38, 0x1F3F, 1, -8}, {0x1F48, 0x1F4D, 1, -8}, {0x1F59, 0x1F5F, 2, -8},
    {0x1F68, 0x1F6F, 1, -8}, {0x1F88, 0x1F8F, 1, -8}, {0x1F98, 0x1F9F, 1, -8}, {0x1FA8, 0x1FAF, 1, -8},
    {0x1FB8, 0x1FB9, 1, -8}, {0x1FBA, 0x1FBB, 1, -74}, {0x1FBC, 0x1FBC, 1, -9}, {0x1FC8, 0x1FCB, 1, -86},
    {0x1FCC, 0x1FCC, 1, -9}, {0x1FD8, 0x1FD9, 1, -8}, {0x1FDA, 0x1FDB, 1, -100}, {0x1FE8, 0x1FE9, 1, -8},
    {0x1FEA, 0x1FEB, 1, -112}, {0x1FEC, 0x1FEC, 1, -7}, {0x1FF8, 0x1FF9, 1, -128}, {0x1FFA, 0x1FFB, 1, -126},
    {0x1FFC, 0x1FFC, 1, -9}, {0x2126, 0x2126, 1, -7517}, {0x212A, 0x212A, 1, -8383}, {0x212B, 0x212B, 1, -8262},
    {0x2132, 0x2132, 1, 28}, {0x2160, 0x216F, 1, 16}, {0x2183, 0x2183, 1, 1}, {0x24B6, 0x24CF, 1, 26},
    {0x2C00, 0x2C2F, 1, 48}, {0x2C60, 0x2C60, 1, 1}, {0x2C62, 0x2C62, 1, -10743}, {0x2C63, 0x2C63, 1, -3814},
    {0x2C64, 0x2C64, 1, -10727}, {0x2C67, 0x2C6B, 2, 1}, {0x2C6D, 0x2C6D, 1, -10780}, {0x2C6E, 0x2C6E, 1, -10749},
    {0x2C6F, 0x2C6F, 1, -10783}, {0x2C70, 0x2C70, 1, -10782}, {0x2C72, 0x2C72, 1, 1}, {0x2C75, 0x2C75, 1, 1},
    {0x2C7E, 0x2C7F, 1, -10815}, {0x2C80, 0x2CE2, 2, 1}, {0x2CEB, 0x2CED, 2, 1}, {0x2CF2, 0x2CF2, 1, 1},
    {0xA640, 0xA66C, 2, 1}, {0xA680, 0xA69A, 2, 1}, {0xA722, 0xA72E, 2, 1}, {0xA732, 0xA76E, 2, 1},
    {0xA779, 0xA77B, 2, 1}, {0xA77D, 0xA77D, 1, -35332}, {0xA77E, 0xA786, 2, 1}, {0xA78B, 0xA78B, 1, 1},
    {0xA78D, 0xA78D, 1, -42280}, {0xA790, 0xA792, 2, 1}, {0xA796, 0xA7A8, 2, 1}, {0xA7AA, 0xA7AA, 1, -42308},
    {0xA7AB, 0xA7AB, 1, -42319}, {0xA7AC, 0xA7AC, 1, -42315}, {0xA7AD, 0xA7AD, 1, -42305},
    {0xA7AE, 0xA7AE, 1, -42308}, {0xA7B0, 0xA7B0, 1, -42258}, {0xA7B1, 0xA7B1, 1, -42282},
    {0xA7B2, 0xA7B2, 1, -42261}, {0xA7B3, 0xA7B3, 1, 928}, {0xA7B4, 0xA7C2, 2, 1}, {0xA7C4, 0xA7C4, 1, -48},
    {0xA7C5, 0xA7C5, 1, -42307}, {0xA7C6, 0xA7C6, 1, -35384}, {0xA7C7, 0xA7C9, 2, 1}, {0xA7D0, 0xA7D0, 1, 1},
    {0xA7D6, 0xA7D8, 2, 1}, {0xA7F5, 0xA7F5, 1, 1}, {0xFF21, 0xFF3A, 1, 32}, {0x10400, 0x10427, 1, 40},
    {0x104B0, 0x104D3, 1, 40}, {0x10570, 0x1057A, 1, 39}, {0x1057C, 0x1058A, 1, 39}, {0x1058C, 0x10592, 1, 39},
    {0x10594, 0x10595, 1, 39}, {0x10C80, 0x10CB2, 1, 64}, {0x118A0, 0x118BF, 1, 32}, {0x16E40, 0x16E5F, 1, 32},
    {0x1E900, 0x1E921, 1, 34},
};
// The same source: the first code point of every run of Unicode decimal digits
// (category Nd, what Python's re `\d` and int() accept); each run is 0-9 repeated,
// so a digit's value is (c - first) % 10. Runs: 62, digits: 660.
struct DigitRun { uint32_t first, last; };
constexpr DigitRun kDigitRuns[] = {
    {0x30, 0x39}, {0x660, 0x669}, {0x6F0, 0x6F9}, {0x7C0, 0x7C9}, {0x966, 0x96F}, {0x9E6, 0x9EF}, {0xA66, 0xA6F},
    {0xAE6, 0xAEF}, {0xB66, 0xB6F}, {0xBE6, 0xBEF}, {0xC66, 0xC6F}, {0xCE6, 0xCEF}, {0xD66, 0xD6F}, {0xDE6, 0xDEF},
    {0xE50, 0xE59}, {0xED0, 0xED9}, {0xF20, 0xF29}, {0x1040, 0x1049}, {0x1090, 0x1099}, {0x17E0, 0x17E9},
    {0x1810, 0x1819}, {0x1946, 0x194F}, {0x19D0, 0x19D9}, {0x1A80, 0x1A89}, {0x1A90, 0x1A99}, {0x1B50, 0x1B59},
    {0x1BB0, 0x1BB9}, {0x1C40, 0x1C49}, {0x1C50, 0x1C59}, {0xA620, 0xA629}, {0xA8D0, 0xA8D9}, {0xA900, 0xA909},
    {0xA9D0, 0xA9D9}, {0xA9F0, 0xA9F9}, {0xAA50, 0xAA59}, {0xABF0, 0xABF9}, {0xFF10, 0xFF19}, {0x104A0, 0x104A9},
    {0x10D30, 0x10D39}, {0x11066, 0x1106F}, {0x110F0, 0x110F9}, {0x11136, 0x1113F}, {0x111D0, 0x111D9},
    {0x112F0, 0x112F9}, {0x11450, 0x11459}, {0x114D0, 0x114D9}, {0x11650, 0x11659}, {0x116C0, 0x116C9},
    {0x11730, 0x11739}, {0x118E0, 0x118E9}, {0x11950, 0x11959}, {0x11C50, 0x11C59}, {0x11D50, 0x11D59},
    {0x11DA0, 0x11DA9}, {0x16A60, 0x16A69}, {0x16AC0, 0x16AC9}, {0x16B50, 0x16B59}, {0x1D7CE, 0x1D7FF},
    {0x1E140, 0x1E149}, {0x1E2F0, 0x1E2F9}, {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9},
};

// Lower-case mapping of one code point (not U+0130).
uint32_t LowerOf(uint32_t c) {
  size_t lo = 0, hi = sizeof(kLowerRuns) / sizeof(kLowerRuns[0]);
  while (lo < hi) {  // first run with first > c
    const size_t mid = (lo + hi) / 2;
    if (kLowerRuns[mid].first <= c) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return c;
  const LowerRun& r = kLowerRuns[lo - 1];
  if (c > r.last || (c - r.first) % r.stride != 0) return c;
  return static_cast<uint32_t>(static_cast<int64_t>(c) + r.delta);
}

inline unsigned char At(std::string_view s, size_t i) { return static_cast<unsigned char>(s[i]); }

// Bytes of one character at s[i] matching pattern character `c` under Python
// `re.IGNORECASE` (str pattern), or 0. For an ASCII letter Python compares the
// simple lower-case mapping and adds a few equivalences, so besides the two
// ASCII cases it also accepts:
//   i: U+0130 'İ' (lower-cases to i) and U+0131 'ı' (sre equivalence i~ı),
//   s: U+017F 'ſ' (sre equivalence s~ſ),
//   k: U+212A KELVIN SIGN (lower-cases to k).
// No other code point lower-cases to an ASCII letter. Non-letters match only
// themselves.
size_t MatchCharNoCase(std::string_view s, size_t i, char c) {
  if (i >= s.size()) return 0;
  const unsigned char b = At(s, i);
  if (b == static_cast<unsigned char>(c)) return 1;
  if (c < 'a' || c > 'z') return 0;
  if (b == static_cast<unsigned char>(c - 32)) return 1;
  if (c == 'i' && i + 1 < s.size() && b == 0xC4 && (At(s, i + 1) == 0xB0 || At(s, i + 1) == 0xB1)) return 2;
  if (c == 's' && i + 1 < s.size() && b == 0xC5 && At(s, i + 1) == 0xBF) return 2;
  if (c == 'k' && i + 2 < s.size() && b == 0xE2 && At(s, i + 1) == 0x84 && At(s, i + 2) == 0xAA) return 3;
  return 0;
}

// Length in bytes of a case-insensitive match of `pat` (lower-case ASCII) at
// s[i], or kNpos.
size_t MatchNoCase(std::string_view s, size_t i, std::string_view pat) {
  size_t j = i;
  for (char c : pat) {
    const size_t k = MatchCharNoCase(s, j, c);
    if (k == 0) return kNpos;
    j += k;
  }
  return j - i;
}

// First position >= from where `pat` matches case-insensitively; its match
// length in *len. The pattern is at most a few dozen bytes, so this is linear.
size_t FindNoCase(std::string_view s, size_t from, std::string_view pat, size_t* len) {
  for (size_t i = from; i < s.size(); ++i) {
    const size_t n = MatchNoCase(s, i, pat);
    if (n != kNpos) {
      *len = n;
      return i;
    }
  }
  return kNpos;
}

// Python `\s`/str.isspace ending exactly at s[e-1], as a byte count, or 0.
size_t PySpaceEndingAt(std::string_view s, size_t e) {
  for (size_t n = 1; n <= 3 && n <= e; ++n)
    if (PySpaceAt(s, e - n) == n) return n;
  return 0;
}

// Python re `\d` (str pattern) at s[i]: the bytes of one Unicode decimal digit
// (ASCII or any other Nd digit, e.g. U+0661 or U+FF11), its value in *value;
// 0 if there is none.
size_t DigitAt(std::string_view s, size_t i, int* value) {
  if (i >= s.size()) return 0;
  const unsigned char b = At(s, i);
  if (b >= '0' && b <= '9') {
    *value = b - '0';
    return 1;
  }
  if (b < 0x80) return 0;
  const utf8::Seq q = utf8::DecodeOne(reinterpret_cast<const unsigned char*>(s.data()) + i, s.size() - i);
  if (q.status != utf8::SeqStatus::kValid) return 0;
  for (const DigitRun& r : kDigitRuns) {
    if (q.cp < r.first) return 0;
    if (q.cp <= r.last) {
      *value = static_cast<int>((q.cp - r.first) % 10);
      return static_cast<size_t>(q.len);
    }
  }
  return 0;
}

bool IsDigit(std::string_view s, size_t i) {
  int v;
  return DigitAt(s, i, &v) > 0;
}

// Scans `\d+` at s[*i] and returns int() of it, saturated at INT32_MAX:
// Python's int is unbounded but only the numbers 1..6 matter. Leading zeros
// are accepted ("**Step 01" is step 1), and so are other scripts' digits
// ("**Step \u0661" is step 1). Returns -1 (and leaves *i) if there is no digit.
long ScanNumber(std::string_view s, size_t* i) {
  long v = 0;
  bool any = false;
  int d = 0;
  while (size_t n = DigitAt(s, *i, &d)) {
    any = true;
    v = std::min<long>(v * 10 + d, std::numeric_limits<int32_t>::max());
    *i += n;
  }
  return any ? v : -1;
}

// The six fixed pairs of §2.6.
constexpr const char* kStepKeys[6] = {
    "step_1_technical_rate_rhythm",      "step_2_conduction_axis_intervals",
    "step_3_chamber_hypertrophy_voltage", "step_4_ischemia_infarction_mimics",
    "step_5_electrolytes_qt",            "step_6_final_medical_reasoning",
};

// First `open(.*?)close` with DOTALL, case-sensitive, where close is either
// of two spellings: the first `open`, then the nearest close after it (if the
// first open has no close after it, no later open has one either). Returns the
// inside as [*b, *e).
bool FirstPair(std::string_view s, std::string_view open, std::string_view close1, std::string_view close2, size_t* b,
               size_t* e) {
  const size_t o = s.find(open);
  if (o == kNpos) return false;
  const size_t from = o + open.size();
  size_t c = s.find(close1, from);
  if (!close2.empty()) c = std::min(c, s.find(close2, from));
  if (c == kNpos) return false;
  *b = from;
  *e = c;
  return true;
}

// The same, case-insensitive (MatchNoCase rules).
bool FirstPairNoCase(std::string_view s, std::string_view open, std::string_view close1, std::string_view close2,
                     size_t* b, size_t* e) {
  size_t ol = 0, cl = 0;
  const size_t o = FindNoCase(s, 0, open, &ol);
  if (o == kNpos) return false;
  const size_t from = o + ol;
  size_t c = FindNoCase(s, from, close1, &cl);
  if (!close2.empty()) c = std::min(c, FindNoCase(s, from, close2, &cl));
  if (c == kNpos) return false;
  *b = from;
  *e = c;
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------
// Python string primitives.

size_t PySpaceAt(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  const unsigned char b = At(s, i);
  if ((b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x20)) return 1;
  const size_t n = s.size() - i;
  if (b == 0xC2 && n >= 2 && (At(s, i + 1) == 0x85 || At(s, i + 1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (n < 3) return 0;
  const unsigned char b1 = At(s, i + 1), b2 = At(s, i + 2);
  if (b == 0xE1 && b1 == 0x9A && b2 == 0x80) return 3;  // U+1680
  if (b == 0xE2 && b1 == 0x80 && ((b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF))
    return 3;                                           // U+2000-200A, U+2028, U+2029, U+202F
  if (b == 0xE2 && b1 == 0x81 && b2 == 0x9F) return 3;  // U+205F
  if (b == 0xE3 && b1 == 0x80 && b2 == 0x80) return 3;  // U+3000
  return 0;
}

void PyStripRange(std::string_view s, size_t* b, size_t* e) {
  size_t i = 0, j = s.size();
  while (size_t k = PySpaceAt(s, i)) i += k;
  while (j > i) {
    const size_t k = PySpaceEndingAt(s, j);
    if (k == 0 || j - k < i) break;
    j -= k;
  }
  *b = i;
  *e = j;
}

std::string PyStrip(std::string_view s) {
  size_t b, e;
  PyStripRange(s, &b, &e);
  return std::string(s.substr(b, e - b));
}

std::string PyLower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = p[i];
    if (b < 0x80) {  // fast path
      out += static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
      ++i;
      continue;
    }
    const utf8::Seq q = utf8::DecodeOne(p + i, s.size() - i);
    if (q.status != utf8::SeqStatus::kValid) {  // keep the bytes as they are
      out.append(s.substr(i, q.len));
      i += q.len;
      continue;
    }
    const uint32_t c = q.cp;
    if (c == 0x130) {  // full lower-case: i + U+0307 COMBINING DOT ABOVE
      out += "i\xCC\x87";
      i += q.len;
      continue;
    }
    const uint32_t l = LowerOf(c);
    if (l == c) out.append(s.substr(i, q.len));
    else utf8::Append(l, &out);
    i += q.len;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Ground truth.

const std::vector<std::string>* Solution::Find(const std::string& key) const {
  for (const auto& kv : evidence)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

Solution ParseSolutionLenient(std::string_view text) {
  Solution sol;
  size_t b, e;
  // §3.1: re.search(r'<\|answer\|>(.*?)<\|[/\\]answer\|>', DOTALL), case-sensitive.
  if (FirstPair(text, "<|answer|>", "<|/answer|>", "<|\\answer|>", &b, &e)) {
    sol.has_answer = true;
    sol.answer = std::string(text.substr(b, e - b));
  }
  // §2.3: the evidence section, case-insensitive; else the whole solution.
  std::string_view body;
  if (FirstPairNoCase(text, "<|key_diagnostic_evidence|>", "<|/key_diagnostic_evidence|>",
                      "<|\\key_diagnostic_evidence|>", &b, &e)) {
    sol.has_evidence_section = true;
    body = text.substr(b, e - b);
  } else {
    body = text;
  }
  PyStripRange(body, &b, &e);
  body = body.substr(b, e - b);

  // §2.4: re.finditer(r'(step_\d+_[a-z_]+):\s*(.*?)(?=\s*step_\d|\Z)', IGNORECASE | DOTALL).
  // Quirks kept:
  //  - no word boundary: "misstep_1_x: a" is an entry "step_1_x";
  //  - [a-z_] under IGNORECASE also takes İ ı ſ and the Kelvin sign (the key
  //    is then some other key, lower-cased with str.lower);
  //  - the value ends before ANY later "step_<digit>" (plus the whitespace in
  //    front of it), even inside a phrase ("see step_2 above"); if that is no
  //    key, the text up to the next key belongs to no entry at all;
  //  - a missing colon right after the key (e.g. "step_1_x : a") means no
  //    entry there.
  // No backtracking can change the result: [a-z_]+ and \d+ cannot contain
  // the character that must follow them, and \s* before the value is greedy
  // with an always-succeeding remainder.
  std::unordered_map<std::string, size_t> index;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t kl = 0;
    const size_t k = FindNoCase(body, pos, "step_", &kl);
    if (k == kNpos) break;
    size_t i = k + kl;
    bool ok = ScanNumber(body, &i) >= 0 && i < body.size() && body[i] == '_';
    size_t letters = 0;
    if (ok) {
      ++i;
      for (;;) {
        if (i < body.size() && body[i] == '_') { ++i; ++letters; continue; }
        size_t n = 0;
        for (char c = 'a'; c <= 'z' && n == 0; ++c) n = MatchCharNoCase(body, i, c);
        if (n == 0) break;
        i += n;
        ++letters;
      }
      ok = letters > 0 && i < body.size() && body[i] == ':';
    }
    if (!ok) {
      pos = k + 1;
      continue;
    }
    const std::string key = PyLower(body.substr(k, i - k));
    ++i;  // ':'
    while (size_t n = PySpaceAt(body, i)) i += n;
    const size_t value_start = i;
    // The lookahead (?=\s*step_\d) first succeeds at the start of the
    // whitespace run in front of the first "step_<digit>" at or after
    // value_start (never before value_start).
    size_t q = value_start, ql = 0, value_end = body.size();
    for (;;) {
      q = FindNoCase(body, q, "step_", &ql);
      if (q == kNpos) break;
      if (IsDigit(body, q + ql)) {
        value_end = q;
        while (value_end > value_start) {
          const size_t n = PySpaceEndingAt(body, value_end);
          if (n == 0 || value_end - n < value_start) break;
          value_end -= n;
        }
        break;
      }
      ++q;
    }
    // value.split(';'), strip, drop empty.
    std::vector<std::string> phrases;
    std::string_view value = body.substr(value_start, value_end - value_start);
    size_t a = 0;
    for (;;) {
      const size_t semi = value.find(';', a);
      std::string part = PyStrip(value.substr(a, semi == kNpos ? kNpos : semi - a));
      if (!part.empty()) phrases.push_back(std::move(part));
      if (semi == kNpos) break;
      a = semi + 1;
    }
    auto it = index.find(key);
    if (it == index.end()) {  // dict assignment: a repeated key takes the later value
      index.emplace(key, sol.evidence.size());
      sol.evidence.emplace_back(key, std::move(phrases));
    } else {
      sol.evidence[it->second].second = std::move(phrases);
    }
    pos = value_end > k ? value_end : k + 1;
  }
  return sol;
}

Solution ParseSolution(const std::string& text, const std::string& what) {
  Solution s = ParseSolutionLenient(text);
  if (!s.has_answer && s.evidence.empty())
    Fail(ExitCode::kBadInput, "%s: no <|answer|>...<|/answer|> section and no step_<n>_<name>: evidence entry",
         what.c_str());
  return s;
}

// ---------------------------------------------------------------------------
// Rewards.

double FormatReward(const std::string& completion) {
  // §1: re.search(r'<think>(.*?)</think>', DOTALL), case-sensitive; reward 1
  // iff group(1).strip() is non-empty. Only the first <think> matters: a
  // later pair is never looked at if the first one's content is blank.
  size_t b, e;
  if (!FirstPair(completion, "<think>", "</think>", "", &b, &e)) return 0.0;
  size_t sb, se;
  PyStripRange(std::string_view(completion).substr(b, e - b), &sb, &se);
  return se > sb ? 1.0 : 0.0;
}

std::vector<std::pair<long, std::string>> EvidenceSteps(const std::string& completion, bool* think_found) {
  std::vector<std::pair<long, std::string>> steps;
  size_t b, e;
  // §2.1: re.search(r'<think>(.*?)</think>', IGNORECASE | DOTALL).
  *think_found = FirstPairNoCase(completion, "<think>", "</think>", "", &b, &e);
  if (!*think_found) return steps;
  std::string_view t = std::string_view(completion).substr(b, e - b);
  size_t sb, se;
  PyStripRange(t, &sb, &se);
  t = t.substr(sb, se - sb);

  // §2.2: re.finditer(r'\*\*Step\s+(\d+).*?(?:\*\*|:|\n)(.*?)(?=\*\*Step|\Z)', IGNORECASE | DOTALL).
  // Quirks kept:
  //  - the header ends at the FIRST of "**", ":" or a newline after the
  //    number, so "**Step 1: Title**\ntext" stores "Title**\ntext" (header
  //    words can hit evidence phrases);
  //  - that delimiter may lie inside the NEXT header ("**Step 1 **Step 2: x"
  //    gives step 1 = "Step 2: x", and no step 2);
  //  - the text ends at the next "**Step" even when no number follows
  //    ("**Steps**"); the text after such a non-header belongs to no step;
  //  - "**Step1" (no whitespace) and "**Step one" are no headers; "\s+" may be
  //    a newline or any Unicode space; "**ſtep 1:" is a header;
  //  - "**Step 01" is step 1; "**Step 10" is step 10 (ignored by the score);
  //  - a header with no delimiter anywhere after it is no match (the search
  //    resumes one byte further);
  //  - a later step with the same number replaces the earlier one, empty
  //    step texts are dropped.
  // Backtracking cannot change the result: \s+ and \d+ are followed by
  // characters they cannot contain, and the delimiter search stops at the
  // first candidate, which no shorter \d+ could move. Each delimiter search
  // stops at the next "**", so no byte is scanned twice by it.
  std::unordered_map<long, size_t> index;
  size_t pos = 0;
  while (pos < t.size()) {
    size_t hl = 0;
    const size_t h = FindNoCase(t, pos, "**step", &hl);
    if (h == kNpos) break;
    size_t i = h + hl;
    const size_t w0 = i;
    while (size_t n = PySpaceAt(t, i)) i += n;
    const size_t d0 = i;
    const long n = ScanNumber(t, &i);
    if (d0 == w0 || n < 0) {
      pos = h + 1;
      continue;
    }
    size_t j = i;
    while (j < t.size() && t[j] != ':' && t[j] != '\n' && !(t[j] == '*' && j + 1 < t.size() && t[j + 1] == '*')) ++j;
    if (j >= t.size()) {
      pos = h + 1;
      continue;
    }
    const size_t text_start = j + (t[j] == '*' ? 2 : 1);
    size_t nl = 0;
    size_t text_end = FindNoCase(t, text_start, "**step", &nl);
    if (text_end == kNpos) text_end = t.size();
    std::string text = PyStrip(t.substr(text_start, text_end - text_start));
    if (!text.empty()) {
      auto it = index.find(n);
      if (it == index.end()) {
        index.emplace(n, steps.size());
        steps.emplace_back(n, std::move(text));
      } else {
        steps[it->second].second = std::move(text);
      }
    }
    pos = text_end;
  }
  return steps;
}

EvidenceReward EvidenceRewardOf(const std::string& completion, const Solution& s, double weight) {
  EvidenceReward r;
  r.weight = weight;
  const auto steps = EvidenceSteps(completion, &r.think_found);
  r.model_steps = static_cast<int>(steps.size());
  r.solution_keys = static_cast<int>(s.evidence.size());
  double sum = 0.0;
  for (int n = 1; n <= 6; ++n) {
    EvidenceStep es;
    es.step = n;
    es.key = kStepKeys[n - 1];
    const std::vector<std::string>* phrases = s.Find(es.key);
    const std::string* text = nullptr;
    for (const auto& st : steps)
      if (st.first == n) text = &st.second;
    es.step_found = text != nullptr;
    if (phrases != nullptr && !phrases->empty()) {
      es.counted = true;
      es.phrases = *phrases;
      // phrase.lower() in text.lower(): literal, no normalisation at all.
      const std::string low = text ? PyLower(*text) : std::string();
      int hits = 0;
      for (const auto& p : es.phrases) {
        const bool h = text != nullptr && low.find(PyLower(p)) != std::string::npos;
        es.hit.push_back(h);
        hits += h;
      }
      es.score = text ? static_cast<double>(hits) / static_cast<double>(es.phrases.size()) : 0.0;
      sum += es.score;
      ++r.counted;
    }
    r.steps.push_back(std::move(es));
  }
  // §2.5 and §2.7: no model steps or no keys at all, or nothing counted -> 0.
  if (r.model_steps > 0 && r.solution_keys > 0 && r.counted > 0) r.reward = weight * (sum / r.counted);
  return r;
}

double EvidenceWeightFromEnv() {
  const char* v = std::getenv("EVIDENCE_WEIGHT");
  if (v == nullptr) return 1.0;
  // Python float(): surrounding whitespace allowed; no hex (strtod would take it).
  const std::string s = PyStrip(v);
  char* end = nullptr;
  errno = 0;
  const double w = s.empty() || s.find_first_of("xX") != std::string::npos ? 0.0 : std::strtod(s.c_str(), &end);
  if (s.empty() || end == nullptr || *end != '\0')
    Fail(ExitCode::kUsage, "EVIDENCE_WEIGHT=%s: not a number", v);
  return w;
}

double DiagnosisReward(const std::string& completion, const Solution& s) {
  // §3.1: re.search(r'<answer>(.*?)</answer>', DOTALL), case-sensitive.
  size_t b, e;
  if (!s.has_answer || !FirstPair(completion, "<answer>", "</answer>", "", &b, &e)) return 0.0;
  const std::string pred = PyLower(PyStrip(std::string_view(completion).substr(b, e - b)));
  const std::string truth = PyLower(PyStrip(s.answer));
  std::unordered_set<std::string> g, p;
  // §3.3: split only if EITHER side contains ';' (then both are split).
  const bool split = pred.find(';') != std::string::npos || truth.find(';') != std::string::npos;
  auto fill = [split](const std::string& x, std::unordered_set<std::string>* set) {
    if (!split) {
      if (!x.empty()) set->insert(x);
      return;
    }
    size_t a = 0;
    for (;;) {
      const size_t semi = x.find(';', a);
      std::string part = PyLower(PyStrip(std::string_view(x).substr(a, semi == kNpos ? kNpos : semi - a)));
      if (!part.empty()) set->insert(std::move(part));
      if (semi == kNpos) break;
      a = semi + 1;
    }
  };
  fill(truth, &g);
  fill(pred, &p);
  if (g.empty() && p.empty()) return 1.0;
  if (g.empty() || p.empty()) return 0.0;
  size_t inter = 0;
  for (const auto& x : p) inter += g.count(x);
  return static_cast<double>(inter) / static_cast<double>(g.size() + p.size() - inter);
}

}  // namespace ecgr1
