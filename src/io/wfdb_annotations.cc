// wfdb_annotations.cc — the MIT-format annotation reader (see the header).
#include "io/wfdb_annotations.h"

#include <limits>

#include "base/error.h"
#include "base/mapped_file.h"

namespace ecgr1 {
namespace {

constexpr int kSkip = 59, kNum = 60, kSub = 61, kChn = 62, kAux = 63;
constexpr int kMaxType = 49;  // ACMAX in WFDB: codes above it (and below 59) are undefined

// Mnemonics of the WFDB type codes 0..49 (ecgcodes.h); "" where unassigned.
const char* const kSymbols[kMaxType + 1] = {
    " ", "N", "L",  "R", "a", "V", "F", "J", "A", "S",  // 0-9
    "E", "j", "/",  "Q", "~", "",  "|", "",  "s", "T",  // 10-19
    "*", "D", "\"", "=", "p", "B", "^", "t", "+", "u",  // 20-29
    "?", "!", "[",  "]", "e", "n", "@", "x", "f", "(",  // 30-39
    ")", "r", "",   "",  "",  "",  "",  "",  "",  "",   // 40-49
};

}  // namespace

std::string WfdbAnnotationSymbol(int type) {
  if (type < 0 || type > kMaxType) return "";
  return kSymbols[type];
}

bool IsBeatSymbol(const std::string& s) {
  if (s.size() != 1) return false;
  switch (s[0]) {
    case 'N':
    case 'L':
    case 'R':
    case 'B':
    case 'A':
    case 'a':
    case 'J':
    case 'S':
    case 'V':
    case 'r':
    case 'F':
    case 'e':
    case 'j':
    case 'n':
    case 'E':
    case '/':
    case 'f':
    case 'Q':
    case '?':
      return true;
    default:
      return false;
  }
}

WfdbAnnotations ParseWfdbAnnotations(const std::string& bytes, const std::string& name) {
  WfdbAnnotations out;
  out.source = name;
  const size_t n = bytes.size();
  auto word = [&](size_t pos) -> unsigned {
    return static_cast<unsigned char>(bytes[pos]) |
           (static_cast<unsigned>(static_cast<unsigned char>(bytes[pos + 1])) << 8);
  };
  int64_t time = 0;
  int chan = 0, num = 0;
  size_t pos = 0;
  while (pos + 2 <= n) {
    const unsigned w = word(pos);
    const int a = static_cast<int>(w >> 10);
    const unsigned i = w & 0x3FF;
    const size_t at = pos;
    pos += 2;
    if (a == 0 && i == 0) return out;  // end-of-file marker
    if (a == kSkip) {
      if (pos + 4 > n)
        Fail(ExitCode::kBadInput, "%s: annotation file ends inside a SKIP at byte %zu", name.c_str(), at);
      const uint32_t hi = word(pos), lo = word(pos + 2);
      pos += 4;
      const int32_t skip = static_cast<int32_t>((hi << 16) | lo);
      time += skip;
      if (time < 0) Fail(ExitCode::kBadInput, "%s: annotation time goes negative at byte %zu", name.c_str(), at);
      continue;
    }
    if (a == kNum || a == kSub || a == kChn || a == kAux) {
      if (out.size() == 0)
        Fail(ExitCode::kBadInput, "%s: modifier code %d before any annotation at byte %zu", name.c_str(), a, at);
      if (a == kNum) {
        num = static_cast<int>(i);
        out.num.back() = num;
      } else if (a == kSub) {
        out.subtype.back() = static_cast<int>(i);
      } else if (a == kChn) {
        chan = static_cast<int>(i);
        out.chan.back() = chan;
      } else {
        const size_t len = i, padded = len + (len & 1);
        if (pos + len > n)
          Fail(ExitCode::kBadInput, "%s: auxiliary text of %zu bytes runs past the end at byte %zu", name.c_str(), len,
               at);
        out.aux.back().assign(bytes, pos, len);
        pos += padded <= n - pos ? padded : n - pos;
      }
      continue;
    }
    if (a > kMaxType) Fail(ExitCode::kBadInput, "%s: undefined annotation code %d at byte %zu", name.c_str(), a, at);
    // A real annotation: type a (0 is NOTQRS, legal), time increment i.
    time += i;
    if (time > std::numeric_limits<int64_t>::max() / 4)
      Fail(ExitCode::kBadInput, "%s: annotation time overflows at byte %zu", name.c_str(), at);
    out.sample.push_back(time);
    out.type.push_back(a);
    out.symbol.push_back(WfdbAnnotationSymbol(a));
    out.subtype.push_back(0);
    out.chan.push_back(chan);
    out.num.push_back(num);
    out.aux.emplace_back();
  }
  // No terminator (or an odd trailing byte): accept what was read.
  return out;
}

WfdbAnnotations ReadWfdbAnnotations(const std::string& path) {
  return ParseWfdbAnnotations(ReadSmallFile(path, ExitCode::kBadInput, kWfdbMaxAnnotationBytes), path);
}

std::vector<int64_t> BeatSamples(const WfdbAnnotations& a) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < a.size(); ++i)
    if (IsBeatSymbol(a.symbol[i])) out.push_back(a.sample[i]);
  return out;
}

}  // namespace ecgr1
