// wfdb.cc — WFDB header parser and signal decoder (see wfdb.h for the contract).
//
// Written from the WFDB format documentation (header(5), signal(5)); checked
// against wfdb-python 4.3.1 rdsamp outputs in /work/shared/ecg/expected.json.
//
// Data flow for one single-segment record:
//   header text -> WfdbHeader -> signals grouped by file ("file groups")
//   -> each file decoded to a flat int32 stream in file order
//      (frame t holds, for each signal of the file in header order, spf samples)
//   -> checksums over frames [0, sig_len) -> physical values per signal with
//      skew, invalid markers (NaN) and frame smoothing -> NaN -> 0, units -> mV.
#include "io/wfdb.h"

#include <FLAC/stream_decoder.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "base/strings.h"
#include "base/error.h"
#include "base/mapped_file.h"
#include "io/matlab_v4.h"

namespace ecgr1 {

namespace {

constexpr ExitCode kBad = ExitCode::kBadInput;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr uint64_t kMaxSkew = uint64_t{1} << 32;
constexpr uint64_t kMaxCount = uint64_t{1} << 62;

// ---------------------------------------------------------------- text helpers

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && IsWs(s[b])) ++b;
  while (e > b && IsWs(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// Splits on blanks; `starts` receives each token's offset in `line`.
std::vector<std::string> Tokens(const std::string& line, std::vector<size_t>* starts) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsWs(line[i])) ++i;
    if (i >= line.size()) break;
    const size_t b = i;
    while (i < line.size() && !IsWs(line[i])) ++i;
    out.push_back(line.substr(b, i - b));
    if (starts) starts->push_back(b);
  }
  return out;
}

// Keeps valid UTF-8 and drops every other byte (and control characters), so
// names and units can go into JSON reports; wfdb-python ignores undecodable
// bytes the same way.
std::string CleanUtf8(const std::string& s) {
  std::string out;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c >= 0x20 || c == '\t') out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (c > 0xF4) len = 0;
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) ok = (p[i + k] & 0xC0) == 0x80;
    if (ok && len == 3 && c == 0xE0 && p[i + 1] < 0xA0) ok = false;  // overlong
    if (ok && len == 3 && c == 0xED && p[i + 1] >= 0xA0) ok = false;  // surrogate
    if (ok && len == 4 && c == 0xF0 && p[i + 1] < 0x90) ok = false;
    if (ok && len == 4 && c == 0xF4 && p[i + 1] >= 0x90) ok = false;
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      ++i;
    }
  }
  return out;
}

// Whole-token numbers. A leading '+' is accepted; non-finite values are not.
bool ParseF64(std::string s, double* v) {
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  if (s.empty()) return false;
  double x = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), x);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(x)) return false;
  *v = x;
  return true;
}

// Integers; an integral decimal such as "0.0" is accepted too (lenient).
bool ParseI64(std::string s, int64_t* v) {
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  if (s.empty()) return false;
  int64_t x = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), x);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
    *v = x;
    return true;
  }
  double d = 0;
  if (!ParseF64(s, &d) || d != std::floor(d) || std::fabs(d) > 9.0e15) return false;
  *v = static_cast<int64_t>(d);
  return true;
}


bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && AsciiLower(s.substr(s.size() - suffix.size())) == suffix;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A file named by a header must sit in the header's folder.
bool SafeLocalName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name.find('\\') == std::string::npos &&
         name.find("..") == std::string::npos && name.find('\0') == std::string::npos;
}


// ------------------------------------------------------------- signal formats

bool KnownFormat(int f) {
  switch (f) {
    case 0: case 8: case 16: case 24: case 32: case 61: case 80: case 160:
    case 212: case 310: case 311: case 508: case 516: case 524:
      return true;
    default:
      return false;
  }
}

bool IsFlac(int f) { return f == 508 || f == 516 || f == 524; }

// The digital value that marks a missing sample; false for formats without one.
bool InvalidMarker(int f, int32_t* v) {
  switch (f) {
    case 80: case 508: *v = -128; return true;
    case 310: case 311: *v = -512; return true;
    case 212: *v = -2048; return true;
    case 16: case 61: case 160: case 516: *v = -32768; return true;
    case 24: case 524: *v = -(1 << 23); return true;
    case 32: *v = std::numeric_limits<int32_t>::min(); return true;
    default: return false;  // 0 (all missing anyway), 8
  }
}

// How many whole samples `nbytes` bytes of a (non-FLAC) format hold. For the
// packed formats a sample counts only when every byte it needs is present.
uint64_t SamplesInBytes(int f, uint64_t nbytes) {
  switch (f) {
    case 8: case 80: return nbytes;
    case 16: case 61: case 160: return nbytes / 2;
    case 24: return nbytes / 3;
    case 32: return nbytes / 4;
    case 212: return nbytes / 3 * 2 + (nbytes % 3 >= 2 ? 1 : 0);
    case 310: return nbytes / 4 * 3 + (nbytes % 4 >= 2 ? 1 : 0);
    case 311: return nbytes / 4 * 3 + (nbytes % 4 >= 2 ? 1 : 0) + (nbytes % 4 >= 3 ? 1 : 0);
    default: return 0;
  }
}

int32_t SignExtend(uint32_t v, int bits) {
  const uint32_t m = uint32_t{1} << (bits - 1);
  return static_cast<int32_t>((v ^ m) - m);
}

// Decodes samples [0, n) of a non-FLAC format from p (which must hold at least
// SamplesInBytes(f, size) >= n samples). Format 8 yields the raw differences.
void DecodeSamples(int f, const uint8_t* p, uint64_t n, int32_t* out) {
  switch (f) {
    case 8:
      for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<int8_t>(p[i]);
      break;
    case 80:
      for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<int32_t>(p[i]) - 128;
      break;
    case 16:
      for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>(uint16_t(p[2 * i] | p[2 * i + 1] << 8));
      break;
    case 61:
      for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>(uint16_t(p[2 * i] << 8 | p[2 * i + 1]));
      break;
    case 160:
      for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<int32_t>(p[2 * i] | p[2 * i + 1] << 8) - 32768;
      break;
    case 24:
      for (uint64_t i = 0; i < n; ++i) {
        const uint8_t* q = p + 3 * i;
        out[i] = SignExtend(uint32_t{q[0]} | uint32_t{q[1]} << 8 | uint32_t{q[2]} << 16, 24);
      }
      break;
    case 32:
      for (uint64_t i = 0; i < n; ++i) {
        const uint8_t* q = p + 4 * i;
        out[i] = static_cast<int32_t>(uint32_t{q[0]} | uint32_t{q[1]} << 8 | uint32_t{q[2]} << 16 |
                                      uint32_t{q[3]} << 24);
      }
      break;
    case 212:
      // Two 12-bit samples in 3 bytes: s0 = b0 + low nibble of b1 (high bits),
      // s1 = b2 + high nibble of b1. Each sample touches only the bytes it needs.
      for (uint64_t i = 0; i < n; ++i) {
        const uint8_t* q = p + i / 2 * 3;
        const uint32_t v = (i % 2 == 0) ? (q[0] | (uint32_t{q[1]} & 0x0F) << 8)
                                        : (q[2] | (uint32_t{q[1]} & 0xF0) << 4);
        out[i] = SignExtend(v, 12);
      }
      break;
    case 310:
      // Three 10-bit samples in two little-endian 16-bit words: s0 in bits 1-10
      // of word 0, s1 in bits 1-10 of word 1, s2 = bits 11-15 of word 0 (low
      // half) and bits 11-15 of word 1 (high half).
      for (uint64_t i = 0; i < n; ++i) {
        const uint8_t* q = p + i / 3 * 4;
        uint32_t v = 0;
        switch (i % 3) {
          case 0: v = ((q[0] | uint32_t{q[1]} << 8) >> 1) & 0x3FF; break;
          case 1: v = ((q[2] | uint32_t{q[3]} << 8) >> 1) & 0x3FF; break;
          default: v = (q[1] >> 3 & 0x1F) | (uint32_t{q[3]} >> 3 & 0x1F) << 5; break;
        }
        out[i] = SignExtend(v, 10);
      }
      break;
    case 311:
      // Three 10-bit samples in one little-endian 32-bit word, bits 0-9, 10-19,
      // 20-29; sample k reads only bytes it overlaps.
      for (uint64_t i = 0; i < n; ++i) {
        const uint8_t* q = p + i / 3 * 4;
        uint32_t v = 0;
        switch (i % 3) {
          case 0: v = (q[0] | uint32_t{q[1]} << 8) & 0x3FF; break;
          case 1: v = ((q[1] | uint32_t{q[2]} << 8) >> 2) & 0x3FF; break;
          default: v = ((q[2] | uint32_t{q[3]} << 8) >> 4) & 0x3FF; break;
        }
        out[i] = SignExtend(v, 10);
      }
      break;
    default:
      break;
  }
}

// -------------------------------------------------------------------- header

void ParseRecordLine(const std::string& line, const std::string& what, WfdbHeader* h) {
  const std::vector<std::string> t = Tokens(line, nullptr);
  // name[/nseg]
  const size_t slash = t[0].find('/');
  h->name = CleanUtf8(t[0].substr(0, slash));
  if (slash != std::string::npos) {
    int64_t ns = 0;
    if (!ParseI64(t[0].substr(slash + 1), &ns) || ns < 1 || ns > kWfdbMaxSegments)
      Fail(kBad, "%s: bad segment count '%s' in the record line (1..%d allowed)", what.c_str(),
           CleanUtf8(t[0].substr(slash + 1)).c_str(), kWfdbMaxSegments);
    h->n_seg = static_cast<int>(ns);
  }
  if (t.size() < 2) Fail(kBad, "%s: the record line has no signal count", what.c_str());
  int64_t ns = 0;
  if (!ParseI64(t[1], &ns)) Fail(kBad, "%s: bad signal count '%s'", what.c_str(), CleanUtf8(t[1]).c_str());
  if (ns < 1 || ns > kWfdbMaxSignals)
    Fail(kBad, "%s: %lld signals declared (1..%d allowed)", what.c_str(), static_cast<long long>(ns),
         kWfdbMaxSignals);
  h->n_sig = static_cast<int>(ns);
  if (t.size() >= 3) {
    // fs[/counter_freq[(base_counter)]]
    const std::string& f = t[2];
    const size_t sl = f.find('/');
    double fs = 0;
    if (!ParseF64(f.substr(0, sl), &fs) || !(fs > 0) || fs > 1e12)
      Fail(kBad, "%s: bad sampling frequency '%s'", what.c_str(), CleanUtf8(f).c_str());
    h->fs = fs;
    if (sl != std::string::npos) {
      std::string c = f.substr(sl + 1);
      const size_t par = c.find('(');
      if (par != std::string::npos) {
        const size_t close = c.find(')', par);
        double base = 0;
        if (close == std::string::npos || !ParseF64(c.substr(par + 1, close - par - 1), &base))
          h->notes.push_back("ignored an unreadable base counter value in the record line");
        else
          h->base_counter = base;
        c = c.substr(0, par);
      }
      double cf = 0;
      if (ParseF64(c, &cf) && cf >= 0)
        h->counter_freq = cf;
      else
        h->notes.push_back("ignored an unreadable counter frequency in the record line");
    }
  }
  if (t.size() >= 4) {
    int64_t len = 0;
    if (!ParseI64(t[3], &len) || len < 0 || static_cast<uint64_t>(len) > kMaxCount)
      Fail(kBad, "%s: bad number of samples per signal '%s'", what.c_str(), CleanUtf8(t[3]).c_str());
    h->has_sig_len = true;
    h->sig_len = static_cast<uint64_t>(len);
  }
  if (t.size() >= 5) h->base_time = CleanUtf8(t[4]);
  if (t.size() >= 6) h->base_date = CleanUtf8(t[5]);
  if (t.size() > 6) h->notes.push_back("ignored extra fields after the base date in the record line");
}

void ParseSignalLine(const std::string& line, const std::string& what, int index, WfdbSignalSpec* s) {
  std::vector<size_t> starts;
  const std::vector<std::string> t = Tokens(line, &starts);
  const int line_no = index + 1;
  if (t.size() < 2) Fail(kBad, "%s: signal %d has no format", what.c_str(), line_no);
  s->file_name = t[0];
  // fmt[xspf][:skew][+offset], the suffixes in any order.
  {
    const std::string& f = t[1];
    size_t i = 0;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9') ++i;
    int64_t fmt = -1;
    if (i == 0 || i > 6 || !ParseI64(f.substr(0, i), &fmt))
      Fail(kBad, "%s: signal %d: bad format field '%s'", what.c_str(), line_no, CleanUtf8(f).c_str());
    if (!KnownFormat(static_cast<int>(fmt)))
      Fail(kBad, "%s: signal %d: unsupported signal format %lld", what.c_str(), line_no,
           static_cast<long long>(fmt));
    s->format = static_cast<int>(fmt);
    while (i < f.size()) {
      const char tag = f[i++];
      size_t j = i;
      while (j < f.size() && ((f[j] >= '0' && f[j] <= '9') || (j == i && (f[j] == '-' || f[j] == '+')))) ++j;
      int64_t v = 0;
      if (j == i || !ParseI64(f.substr(i, j - i), &v))
        Fail(kBad, "%s: signal %d: bad format field '%s'", what.c_str(), line_no, CleanUtf8(f).c_str());
      i = j;
      if (tag == 'x') {
        if (v < 1 || v > kWfdbMaxSpf)
          Fail(kBad, "%s: signal %d: %lld samples per frame (1..%d allowed)", what.c_str(), line_no,
               static_cast<long long>(v), kWfdbMaxSpf);
        s->spf = static_cast<int>(v);
      } else if (tag == ':') {
        if (v < 0 || static_cast<uint64_t>(v) > kMaxSkew)
          Fail(kBad, "%s: signal %d: bad skew %lld", what.c_str(), line_no, static_cast<long long>(v));
        s->skew = static_cast<uint64_t>(v);
      } else if (tag == '+') {
        if (v < 0 || static_cast<uint64_t>(v) > kMaxCount)
          Fail(kBad, "%s: signal %d: bad byte offset %lld", what.c_str(), line_no, static_cast<long long>(v));
        s->has_byte_offset = true;
        s->byte_offset = static_cast<uint64_t>(v);
      } else {
        Fail(kBad, "%s: signal %d: bad format field '%s'", what.c_str(), line_no, CleanUtf8(f).c_str());
      }
    }
  }
  // gain[(baseline)][/units]
  bool has_baseline = false;
  s->gain = 0;
  if (t.size() >= 3) {
    const std::string& g = t[2];
    const size_t stop = g.find_first_of("(/");
    double gain = 0;
    if (!ParseF64(g.substr(0, stop), &gain))
      Fail(kBad, "%s: signal %d: bad ADC gain field '%s'", what.c_str(), line_no, CleanUtf8(g).c_str());
    s->gain = gain;
    size_t rest = stop;
    if (rest != std::string::npos && g[rest] == '(') {
      const size_t close = g.find(')', rest);
      double b = 0;
      if (close == std::string::npos || !ParseF64(g.substr(rest + 1, close - rest - 1), &b) ||
          std::fabs(b) > 9.0e15)
        Fail(kBad, "%s: signal %d: bad baseline in '%s'", what.c_str(), line_no, CleanUtf8(g).c_str());
      s->baseline = b;
      has_baseline = true;
      rest = close + 1;
    }
    if (rest != std::string::npos && rest < g.size()) {
      if (g[rest] != '/')
        Fail(kBad, "%s: signal %d: bad ADC gain field '%s'", what.c_str(), line_no, CleanUtf8(g).c_str());
      const std::string u = CleanUtf8(g.substr(rest + 1));
      if (!u.empty()) {
        s->units = u;
        s->units_given = true;
      }
    }
  }
  if (s->gain == 0) {
    s->gain = 200;
    s->gain_was_zero = true;
  }
  const auto int_field = [&](size_t k, const char* name, int64_t lo, int64_t hi, int64_t* out) {
    if (t.size() <= k) return false;
    int64_t v = 0;
    if (!ParseI64(t[k], &v) || v < lo || v > hi)
      Fail(kBad, "%s: signal %d: bad %s '%s'", what.c_str(), line_no, name, CleanUtf8(t[k]).c_str());
    *out = v;
    return true;
  };
  const int64_t i32min = std::numeric_limits<int32_t>::min(), i32max = std::numeric_limits<int32_t>::max();
  int64_t v = 0;
  if (int_field(3, "ADC resolution", 0, 64, &v)) s->adc_res = static_cast<int>(v);
  int_field(4, "ADC zero", i32min, i32max, &s->adc_zero);
  if (!int_field(5, "initial value", i32min, i32max, &s->init_value)) s->init_value = s->adc_zero;
  s->has_checksum = int_field(6, "checksum", i32min, i32max, &s->checksum);
  int_field(7, "block size", 0, i32max, &s->block_size);
  if (!has_baseline) s->baseline = static_cast<double>(s->adc_zero);
  if (t.size() >= 9) s->description = CleanUtf8(Trim(line.substr(starts[8])));
}

}  // namespace

WfdbHeader ParseWfdbHeader(const std::string& text, const std::string& what) {
  if (text.size() > kWfdbMaxHeaderBytes)
    Fail(kBad, "%s: header is %zu bytes, more than the %zu allowed", what.c_str(), text.size(),
         kWfdbMaxHeaderBytes);
  WfdbHeader h;
  std::vector<std::string> lines;  // record, signal and segment lines, comments removed
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = Trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.empty()) continue;
    if (line[0] == '#') {
      size_t b = 0;
      while (b < line.size() && line[b] == '#') ++b;
      h.comments.push_back(CleanUtf8(Trim(line.substr(b))));
      continue;
    }
    // A '#' after a blank starts a trailing comment.
    for (size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '#' && IsWs(line[i - 1])) {
        h.comments.push_back(CleanUtf8(Trim(line.substr(i + 1))));
        line = Trim(line.substr(0, i));
        break;
      }
    }
    lines.push_back(line);
  }
  if (lines.empty()) Fail(kBad, "%s: no record line (empty header)", what.c_str());
  ParseRecordLine(lines[0], what, &h);
  const size_t want = h.n_seg > 0 ? static_cast<size_t>(h.n_seg) : static_cast<size_t>(h.n_sig);
  if (lines.size() - 1 < want)
    Fail(kBad, "%s: the record line declares %zu %s but the header has only %zu", what.c_str(), want,
         h.n_seg > 0 ? "segments" : "signals", lines.size() - 1);
  if (lines.size() - 1 > want)
    h.notes.push_back(StrFormat("ignored %zu extra line(s) after the %s lines", lines.size() - 1 - want,
                                h.n_seg > 0 ? "segment" : "signal"));
  if (h.n_seg > 0) {
    for (size_t i = 0; i < want; ++i) {
      const std::vector<std::string> t = Tokens(lines[1 + i], nullptr);
      WfdbSegmentSpec seg;
      seg.name = t[0];
      int64_t len = 0;
      if (t.size() < 2 || !ParseI64(t[1], &len) || len < 0 || static_cast<uint64_t>(len) > kMaxCount)
        Fail(kBad, "%s: segment %zu has a bad length", what.c_str(), i + 1);
      if (seg.name != "~" && !SafeLocalName(seg.name))
        Fail(kBad, "%s: segment %zu: name '%s' must be a plain name in the record's folder", what.c_str(),
             i + 1, CleanUtf8(seg.name).c_str());
      seg.length = static_cast<uint64_t>(len);
      h.segments.push_back(seg);
    }
  } else {
    h.signals.resize(want);
    for (size_t i = 0; i < want; ++i) ParseSignalLine(lines[1 + i], what, static_cast<int>(i), &h.signals[i]);
  }
  return h;
}

namespace {

// ------------------------------------------------------------ reading signals

// Physical values in the file's units, NaN where a sample is missing.
struct Signals {
  double fs = 0;
  uint64_t len = 0;
  std::vector<std::string> names, units;
  std::vector<std::vector<double>> phys;
  std::vector<std::string> notes;
  std::set<int> formats;
  bool mat = false;
};

// Signals that share one file, in header order.
struct FileGroup {
  std::string file_name;
  int format = 0;
  uint64_t byte_offset = 0;
  bool has_byte_offset = false;
  std::vector<size_t> sigs;    // indices into WfdbHeader::signals
  std::vector<uint64_t> slot;  // first sample of each signal within a frame
  uint64_t frame_samples = 0;  // samples per frame in this file (sum of spf)
  uint64_t max_skew = 0;
};

// libFLAC reads from memory through these callbacks; errors are collected and
// reported after the decoder is gone (no exceptions through C code).
struct FlacState {
  const uint8_t* data = nullptr;
  size_t size = 0, pos = 0;
  unsigned channels = 0, bits = 0;
  uint64_t want = 0;  // samples per channel wanted
  std::vector<std::vector<int32_t>> ch;
  std::string error;
  bool done = false;
};

FLAC__StreamDecoderReadStatus FlacRead(const FLAC__StreamDecoder*, FLAC__byte buffer[], size_t* bytes, void* cd) {
  auto* st = static_cast<FlacState*>(cd);
  if (*bytes == 0) return FLAC__STREAM_DECODER_READ_STATUS_ABORT;
  const size_t n = std::min(*bytes, st->size - st->pos);
  if (n > 0) std::memcpy(buffer, st->data + st->pos, n);
  st->pos += n;
  *bytes = n;
  return n == 0 ? FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM : FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
}

FLAC__bool FlacEof(const FLAC__StreamDecoder*, void* cd) {
  auto* st = static_cast<FlacState*>(cd);
  return st->pos >= st->size;
}

FLAC__StreamDecoderWriteStatus FlacWrite(const FLAC__StreamDecoder*, const FLAC__Frame* frame,
                                         const FLAC__int32* const buffer[], void* cd) {
  auto* st = static_cast<FlacState*>(cd);
  if (frame->header.channels != st->channels) {
    st->error = StrFormat("a FLAC frame has %u channels, the header gives %u signals for this file",
                          frame->header.channels, st->channels);
    return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
  }
  if (frame->header.bits_per_sample != st->bits) {
    st->error = StrFormat("a FLAC frame has %u bits per sample, format needs %u", frame->header.bits_per_sample,
                          st->bits);
    return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
  }
  const uint64_t have = st->ch[0].size();
  const uint64_t take = std::min<uint64_t>(frame->header.blocksize, st->want - have);
  for (unsigned c = 0; c < st->channels; ++c) st->ch[c].insert(st->ch[c].end(), buffer[c], buffer[c] + take);
  if (st->ch[0].size() >= st->want) {
    st->done = true;
    return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;  // enough: stop early
  }
  return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

void FlacError(const FLAC__StreamDecoder*, FLAC__StreamDecoderErrorStatus status, void* cd) {
  auto* st = static_cast<FlacState*>(cd);
  if (st->error.empty()) st->error = FLAC__StreamDecoderErrorStatusString[status];
}

// Decodes a FLAC signal file (formats 508/516/524) into the flat stream.
// FLAC channel c holds signal c of the file; all signals of a FLAC file share
// one samples-per-frame value, and channel sample j belongs to frame j / spf.
std::vector<int32_t> DecodeFlac(const std::string& what, const FileGroup& g, unsigned spf, const uint8_t* p,
                                size_t n, uint64_t want_frames) {
  const unsigned bits = static_cast<unsigned>(g.format - 500);
  if (n < 4 || std::memcmp(p, "fLaC", 4) != 0)
    Fail(kBad, "%s: %s is not a FLAC stream (format %d)", what.c_str(), g.file_name.c_str(), g.format);
  if (g.sigs.size() > 8)
    Fail(kBad, "%s: %s: %zu signals in one FLAC file (format %d allows at most 8)", what.c_str(),
         g.file_name.c_str(), g.sigs.size(), g.format);
  FlacState st;
  st.data = p;
  st.size = n;
  st.channels = static_cast<unsigned>(g.sigs.size());
  st.bits = bits;
  st.want = want_frames * spf;  // want_frames <= kWfdbMaxTotalSamples, spf <= kWfdbMaxSpf
  st.ch.resize(st.channels);
  std::unique_ptr<FLAC__StreamDecoder, void (*)(FLAC__StreamDecoder*)> dec(FLAC__stream_decoder_new(),
                                                                          FLAC__stream_decoder_delete);
  if (!dec) Fail(ExitCode::kInternal, "%s: cannot create a FLAC decoder", what.c_str());
  FLAC__stream_decoder_set_md5_checking(dec.get(), false);
  if (FLAC__stream_decoder_init_stream(dec.get(), FlacRead, nullptr, nullptr, nullptr, FlacEof, FlacWrite,
                                       nullptr, FlacError, &st) != FLAC__STREAM_DECODER_INIT_STATUS_OK)
    Fail(kBad, "%s: %s: cannot start the FLAC decoder (format %d)", what.c_str(), g.file_name.c_str(), g.format);
  if (st.want > 0) FLAC__stream_decoder_process_until_end_of_stream(dec.get());
  const FLAC__StreamDecoderState state = FLAC__stream_decoder_get_state(dec.get());
  dec.reset();
  if (!st.error.empty())
    Fail(kBad, "%s: %s: FLAC decoding failed (format %d): %s", what.c_str(), g.file_name.c_str(), g.format,
         st.error.c_str());
  if (!st.done && state != FLAC__STREAM_DECODER_END_OF_STREAM && st.want > 0)
    Fail(kBad, "%s: %s: FLAC decoding failed (format %d): %s", what.c_str(), g.file_name.c_str(), g.format,
         FLAC__StreamDecoderStateString[state]);
  // Interleave into the common layout: frame t, signal c, sample k.
  const uint64_t per_ch = st.ch.empty() ? 0 : st.ch[0].size();
  const uint64_t frames = per_ch / spf;
  std::vector<int32_t> stream(frames * g.frame_samples);
  for (unsigned c = 0; c < st.channels; ++c)
    for (uint64_t j = 0; j < frames * spf; ++j) stream[j / spf * g.frame_samples + c * spf + j % spf] = st.ch[c][j];
  return stream;
}

// Decodes one file group. `want_frames` bounds the frames decoded (the
// declared length plus the group's skew), or is kMaxCount when the length is
// unknown. Returns the stream in file order, in whole frames.
std::vector<int32_t> ReadGroup(const std::string& what, const std::string& dir, const WfdbHeader& h,
                               const FileGroup& g, uint64_t want_frames, Signals* out) {
  if (!SafeLocalName(g.file_name))
    Fail(kBad, "%s: signal file name '%s' must be a plain name in the header's folder", what.c_str(),
         CleanUtf8(g.file_name).c_str());
  const std::string path = dir + "/" + g.file_name;
  if (!FileExists(path)) Fail(kBad, "%s: signal file %s not found", what.c_str(), CleanUtf8(g.file_name).c_str());
  MappedFile mf(path, kBad);
  uint64_t offset = g.byte_offset;
  if (EndsWith(g.file_name, ".mat")) {
    out->mat = true;
    MatV4Matrix m;
    if (!ParseMatV4Header(mf.data(), mf.size(), &m)) {
      out->notes.push_back(StrFormat("%s has no MATLAB v4 header; read as WFDB data", g.file_name.c_str()));
    } else {
      if (!g.has_byte_offset) {
        offset = m.data_offset;
        out->notes.push_back(StrFormat("%s: byte offset missing from the header; using the MATLAB v4 data "
                                       "offset %llu", g.file_name.c_str(),
                                       static_cast<unsigned long long>(offset)));
      } else if (offset != m.data_offset) {
        out->notes.push_back(StrFormat("%s: header byte offset %llu differs from the MATLAB v4 data offset %llu",
                                       g.file_name.c_str(), static_cast<unsigned long long>(offset),
                                       static_cast<unsigned long long>(m.data_offset)));
      }
      if (!(m.IsInt16Le() && (g.format == 16)))
        out->notes.push_back(StrFormat("%s: MATLAB v4 matrix type %u does not match WFDB format %d",
                                       g.file_name.c_str(), m.type, g.format));
      if (m.mrows != g.sigs.size())
        out->notes.push_back(StrFormat("%s: MATLAB v4 matrix has %u rows, the header gives %zu signals",
                                       g.file_name.c_str(), m.mrows, g.sigs.size()));
    }
  }
  if (offset > mf.size())
    Fail(kBad, "%s: byte offset %llu is past the end of %s (%zu bytes)", what.c_str(),
         static_cast<unsigned long long>(offset), g.file_name.c_str(), mf.size());
  const uint8_t* p = mf.data() + offset;
  const size_t n = mf.size() - static_cast<size_t>(offset);
  if (IsFlac(g.format)) {
    const unsigned spf = static_cast<unsigned>(h.signals[g.sigs[0]].spf);
    for (size_t s : g.sigs)
      if (h.signals[s].spf != static_cast<int>(spf))
        Fail(kBad, "%s: %s: signals of one FLAC file must share samples per frame", what.c_str(),
             g.file_name.c_str());
    return DecodeFlac(what, g, spf, p, n, std::min(want_frames, kWfdbMaxTotalSamples));
  }
  const uint64_t avail_frames = SamplesInBytes(g.format, n) / g.frame_samples;
  const uint64_t frames = std::min(avail_frames, want_frames);
  uint64_t total = 0;
  if (MulOverflow(frames, g.frame_samples, &total) || total > 4 * kWfdbMaxTotalSamples)
    Fail(kBad, "%s: %s: record too large (%llu frames of %llu samples)", what.c_str(), g.file_name.c_str(),
         static_cast<unsigned long long>(frames), static_cast<unsigned long long>(g.frame_samples));
  std::vector<int32_t> stream(total);
  DecodeSamples(g.format, p, total, stream.data());
  if (g.format == 8) {
    // First differences: each signal's samples accumulate from its initial value.
    for (size_t j = 0; j < g.sigs.size(); ++j) {
      const WfdbSignalSpec& s = h.signals[g.sigs[j]];
      uint32_t v = static_cast<uint32_t>(s.init_value);
      for (uint64_t t = 0; t < frames; ++t)
        for (int k = 0; k < s.spf; ++k) {
          int32_t& x = stream[t * g.frame_samples + g.slot[j] + k];
          v += static_cast<uint32_t>(x);
          x = static_cast<int32_t>(v);
        }
    }
  }
  return stream;
}

std::vector<FileGroup> GroupByFile(const std::string& what, const WfdbHeader& h, Signals* out) {
  std::vector<FileGroup> groups;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < h.signals.size(); ++i) {
    const WfdbSignalSpec& s = h.signals[i];
    if (s.format == 0 || s.file_name == "~") continue;  // null signal: no file
    auto it = index.find(s.file_name);
    if (it == index.end()) {
      it = index.emplace(s.file_name, groups.size()).first;
      FileGroup g;
      g.file_name = s.file_name;
      g.format = s.format;
      g.byte_offset = s.byte_offset;
      g.has_byte_offset = s.has_byte_offset;
      groups.push_back(g);
    }
    FileGroup& g = groups[it->second];
    if (s.format != g.format)
      Fail(kBad, "%s: signal %zu is format %d but shares %s with format %d signals", what.c_str(), i + 1,
           s.format, CleanUtf8(s.file_name).c_str(), g.format);
    if (s.byte_offset != g.byte_offset)
      out->notes.push_back(StrFormat("signal %zu: byte offset %llu ignored; %s starts at %llu", i + 1,
                                     static_cast<unsigned long long>(s.byte_offset), s.file_name.c_str(),
                                     static_cast<unsigned long long>(g.byte_offset)));
    g.sigs.push_back(i);
    g.slot.push_back(g.frame_samples);
    g.frame_samples += static_cast<uint64_t>(s.spf);  // <= 4096 * 1024
    g.max_skew = std::max(g.max_skew, s.skew);
  }
  return groups;
}

// Reads a single-segment record. `infer_zero_len`: a length of 0 means "unknown".
Signals ReadSingle(const std::string& what, const std::string& dir, const WfdbHeader& h, bool infer_zero_len) {
  Signals out;
  out.fs = h.fs;
  const size_t ns = h.signals.size();
  std::vector<FileGroup> groups = GroupByFile(what, h, &out);
  bool len_known = h.has_sig_len && !(infer_zero_len && h.sig_len == 0);
  uint64_t len = h.sig_len;
  uint64_t cells = 0;
  if (len_known && (MulOverflow(len, ns, &cells) || cells > kWfdbMaxTotalSamples))
    Fail(kBad, "%s: %llu samples x %zu signals is more than the %llu values allowed", what.c_str(),
         static_cast<unsigned long long>(len), ns, static_cast<unsigned long long>(kWfdbMaxTotalSamples));
  std::vector<std::vector<int32_t>> streams(groups.size());
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const uint64_t want = len_known ? len + groups[gi].max_skew : kMaxCount;
    streams[gi] = ReadGroup(what, dir, h, groups[gi], want, &out);
  }
  if (!len_known) {
    if (groups.empty()) Fail(kBad, "%s: no signal length and no signal file to infer it from", what.c_str());
    len = kMaxCount;
    for (size_t gi = 0; gi < groups.size(); ++gi)
      len = std::min<uint64_t>(len, streams[gi].size() / groups[gi].frame_samples);
    if (MulOverflow(len, ns, &cells) || cells > kWfdbMaxTotalSamples)
      Fail(kBad, "%s: %llu samples x %zu signals is more than the %llu values allowed", what.c_str(),
           static_cast<unsigned long long>(len), ns, static_cast<unsigned long long>(kWfdbMaxTotalSamples));
    out.notes.push_back(StrFormat("signal length missing from the header; %llu samples inferred from the "
                                  "signal file size", static_cast<unsigned long long>(len)));
  }
  out.len = len;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const uint64_t frames = streams[gi].size() / groups[gi].frame_samples;
    if (frames < len)
      Fail(kBad, "%s: signal file %s holds %llu samples per signal but the header declares %llu", what.c_str(),
           CleanUtf8(groups[gi].file_name).c_str(), static_cast<unsigned long long>(frames),
           static_cast<unsigned long long>(len));
  }
  out.names.resize(ns);
  out.units.resize(ns);
  out.phys.resize(ns);
  for (size_t i = 0; i < ns; ++i) {
    out.names[i] = h.signals[i].description;
    out.units[i] = h.signals[i].units;
    out.formats.insert(h.signals[i].format);
    if (h.signals[i].gain_was_zero)
      out.notes.push_back(StrFormat("signal %zu (%s): ADC gain 0 or missing; using 200", i + 1,
                                    h.signals[i].description.c_str()));
  }
  for (size_t i = 0; i < ns; ++i)
    if (h.signals[i].format == 0 || h.signals[i].file_name == "~") out.phys[i].assign(len, kNaN);
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const FileGroup& g = groups[gi];
    const std::vector<int32_t>& st = streams[gi];
    const uint64_t S = g.frame_samples;
    for (size_t j = 0; j < g.sigs.size(); ++j) {
      const WfdbSignalSpec& s = h.signals[g.sigs[j]];
      // Checksum: 16-bit sum of every stored sample of frames [0, len), no skew.
      if (s.has_checksum) {
        uint32_t sum = 0;
        for (uint64_t t = 0; t < len; ++t)
          for (int k = 0; k < s.spf; ++k) sum += static_cast<uint32_t>(st[t * S + g.slot[j] + k]);
        if (((sum - static_cast<uint32_t>(s.checksum)) & 0xFFFF) != 0)
          out.notes.push_back(StrFormat("signal %zu (%s): checksum mismatch (header %lld, data %u mod 65536)",
                                        g.sigs[j] + 1, s.description.c_str(), static_cast<long long>(s.checksum),
                                        sum & 0xFFFF));
      }
      int32_t bad = 0;
      const bool has_bad = InvalidMarker(s.format, &bad);
      std::vector<double>& y = out.phys[g.sigs[j]];
      y.resize(len);
      const uint64_t end = st.size();
      for (uint64_t t = 0; t < len; ++t) {
        const uint64_t base = (t + s.skew) * S + g.slot[j];  // t + skew < 2^29 + 2^32; S < 2^23
        if (base + static_cast<uint64_t>(s.spf) > end) {  // past the end of the file (skew)
          y[t] = kNaN;
          continue;
        }
        // Several samples per frame: rdsamp's smooth_frames averages the
        // digital samples with integer division (truncating toward zero) and
        // only then tests for the invalid marker and applies gain/baseline.
        int64_t d = st[base];
        if (s.spf > 1) {
          for (int k = 1; k < s.spf; ++k) d += st[base + static_cast<uint64_t>(k)];
          d /= s.spf;
        }
        y[t] = (has_bad && d == bad) ? kNaN : (static_cast<double>(d) - s.baseline) / s.gain;
      }
    }
  }
  return out;
}

std::string FormatLabel(const Signals& s, bool multi) {
  std::string f;
  for (int x : s.formats) {
    if (!f.empty()) f += ", ";
    f += std::to_string(x);
  }
  std::string label = "wfdb (";
  if (multi) label += "multi-segment, ";
  if (s.mat) return label + "MATLAB v4)";
  return label + (s.formats.size() > 1 ? "formats " : "format ") + f + ")";
}

// Reads a multi-segment record: segments one level deep, in the same folder.
Signals ReadMulti(const std::string& what, const std::string& dir, const WfdbHeader& h) {
  Signals out;
  out.fs = h.fs;
  uint64_t total = 0;
  for (const WfdbSegmentSpec& s : h.segments)
    if (AddOverflow(total, s.length, &total) || total > kMaxCount)
      Fail(kBad, "%s: segment lengths overflow", what.c_str());
  uint64_t cells = 0;
  if (MulOverflow(total, static_cast<uint64_t>(h.n_sig), &cells) || cells > kWfdbMaxTotalSamples)
    Fail(kBad, "%s: %llu samples x %d signals is more than the %llu values allowed", what.c_str(),
         static_cast<unsigned long long>(total), h.n_sig, static_cast<unsigned long long>(kWfdbMaxTotalSamples));
  if (h.has_sig_len && h.sig_len != total)
    out.notes.push_back(StrFormat("record length %llu differs from the sum of segment lengths %llu; using the sum",
                                  static_cast<unsigned long long>(h.sig_len), static_cast<unsigned long long>(total)));
  const auto read_header = [&](const std::string& name) {
    const std::string p = dir + "/" + name + ".hea";
    if (!FileExists(p)) Fail(kBad, "%s: segment header %s.hea not found", what.c_str(), CleanUtf8(name).c_str());
    WfdbHeader sh = ParseWfdbHeader(ReadSmallFile(p, kBad, kWfdbMaxHeaderBytes), p);
    if (sh.n_seg > 0)
      Fail(kBad, "%s: segment %s is itself a multi-segment record (not allowed)", what.c_str(),
           CleanUtf8(name).c_str());
    return std::make_pair(p, sh);
  };
  size_t first = 0;
  const bool variable = !h.segments.empty() && h.segments[0].length == 0 && h.segments[0].name != "~";
  size_t n_out = static_cast<size_t>(h.n_sig);
  if (variable) {
    const auto [lp, layout] = read_header(h.segments[0].name);
    if (static_cast<int>(layout.signals.size()) != h.n_sig)
      Fail(kBad, "%s: layout %s has %zu signals, the record %d", what.c_str(), h.segments[0].name.c_str(),
           layout.signals.size(), h.n_sig);
    for (const WfdbSignalSpec& s : layout.signals) {
      out.names.push_back(s.description);
      out.units.push_back(s.units);
    }
    first = 1;
  }
  out.phys.assign(n_out, std::vector<double>());
  for (auto& v : out.phys) v.assign(total, kNaN);  // gaps stay NaN
  uint64_t at = 0;
  for (size_t si = first; si < h.segments.size(); ++si) {
    const WfdbSegmentSpec& seg = h.segments[si];
    if (seg.name == "~" || seg.length == 0) {
      at += seg.length;
      continue;
    }
    const auto [sp, sh] = read_header(seg.name);
    if (std::fabs(sh.fs - h.fs) > 1e-9 * h.fs)
      Fail(kBad, "%s: segment %s has sampling frequency %g, the record %g", what.c_str(), seg.name.c_str(), sh.fs,
           h.fs);
    Signals s = ReadSingle(sp, dir, sh, false);
    for (const std::string& n : s.notes) out.notes.push_back(seg.name + ": " + n);
    out.formats.insert(s.formats.begin(), s.formats.end());
    out.mat = out.mat || s.mat;
    if (s.len != seg.length)
      out.notes.push_back(StrFormat("segment %s has %llu samples, the record says %llu; using the smaller",
                                    seg.name.c_str(), static_cast<unsigned long long>(s.len),
                                    static_cast<unsigned long long>(seg.length)));
    const uint64_t n = std::min(s.len, seg.length);
    std::vector<int> map(s.phys.size(), -1);  // segment signal -> output signal
    if (!variable) {
      if (s.phys.size() != n_out)
        Fail(kBad, "%s: segment %s has %zu signals, the record %zu", what.c_str(), seg.name.c_str(), s.phys.size(),
             n_out);
      if (out.names.empty()) {
        out.names = s.names;
        out.units = s.units;
      }
      for (size_t i = 0; i < n_out; ++i) map[i] = static_cast<int>(i);
    } else {
      std::vector<bool> used(n_out, false);
      for (size_t i = 0; i < s.phys.size(); ++i) {
        for (size_t j = 0; j < n_out; ++j)
          if (!used[j] && out.names[j] == s.names[i]) {
            map[i] = static_cast<int>(j);
            used[j] = true;
            break;
          }
        if (map[i] < 0)
          out.notes.push_back(StrFormat("segment %s: signal %s is not in the layout; dropped", seg.name.c_str(),
                                        s.names[i].c_str()));
      }
    }
    for (size_t i = 0; i < s.phys.size(); ++i) {
      if (map[i] < 0) continue;
      const size_t j = static_cast<size_t>(map[i]);
      double scale = 1.0;
      if (s.units[i] != out.units[j]) {
        const double a = MillivoltsPerUnit(s.units[i]), b = MillivoltsPerUnit(out.units[j]);
        if (a > 0 && b > 0)
          scale = a / b;
        else
          out.notes.push_back(StrFormat("segment %s: signal %s is in %s, the record says %s; kept as is",
                                        seg.name.c_str(), s.names[i].c_str(), s.units[i].c_str(),
                                        out.units[j].c_str()));
      }
      for (uint64_t t = 0; t < n; ++t) out.phys[j][at + t] = scale == 1.0 ? s.phys[i][t] : s.phys[i][t] * scale;
    }
    at += seg.length;
  }
  if (out.names.empty()) {  // all gaps, fixed layout: nothing names the signals
    out.names.assign(n_out, "");
    out.units.assign(n_out, "mV");
    out.notes.push_back("no segment holds data; all samples are missing");
  }
  out.len = total;
  return out;
}

// Locates the header for "dir/name[.hea|.dat|.mat]".
void SplitRecordPath(const std::string& path, std::string* dir, std::string* name) {
  std::string p = path;
  for (const char* ext : {".hea", ".dat", ".mat"})
    if (EndsWith(p, ext)) {
      p.resize(p.size() - 4);
      break;
    }
  const size_t sl = p.rfind('/');
  *dir = sl == std::string::npos ? "." : (sl == 0 ? "/" : p.substr(0, sl));
  *name = sl == std::string::npos ? p : p.substr(sl + 1);
}

}  // namespace

EcgRecord ReadWfdbRecord(const std::string& path) {
  std::string dir, name;
  SplitRecordPath(path, &dir, &name);
  const std::string hea = dir + "/" + name + ".hea";
  if (name.empty() || !FileExists(hea))
    Fail(kBad, "%s: WFDB header %s not found", path.c_str(), (name + ".hea").c_str());
  const WfdbHeader h = ParseWfdbHeader(ReadSmallFile(hea, kBad, kWfdbMaxHeaderBytes), hea);
  Signals s = h.n_seg > 0 ? ReadMulti(hea, dir, h) : ReadSingle(hea, dir, h, true);

  EcgRecord rec;
  rec.source = path;
  rec.format = FormatLabel(s, h.n_seg > 0);
  rec.fs = s.fs;
  rec.comments = h.comments;
  rec.notes = h.notes;
  if (h.name != name)
    rec.notes.push_back(StrFormat("header names the record '%s', the file is %s.hea", h.name.c_str(),
                                  name.c_str()));
  rec.notes.insert(rec.notes.end(), s.notes.begin(), s.notes.end());
  rec.leads = s.names;
  rec.units = s.units;
  rec.signal = std::move(s.phys);
  for (size_t i = 0; i < rec.signal.size(); ++i) {
    const double f = MillivoltsPerUnit(rec.units[i]);
    if (rec.leads[i].empty()) rec.notes.push_back(StrFormat("signal %zu has no name", i + 1));
    if (f == 0)
      rec.notes.push_back(StrFormat("signal %zu (%s): unit '%s' is not a voltage; values kept in %s", i + 1,
                                    rec.leads[i].c_str(), rec.units[i].c_str(), rec.units[i].c_str()));
    else if (f != 1.0)
      rec.notes.push_back(StrFormat("signal %zu (%s): converted from %s to mV", i + 1, rec.leads[i].c_str(),
                                    rec.units[i].c_str()));
    uint64_t bad = 0;
    for (double& v : rec.signal[i]) {
      if (!std::isfinite(v)) {
        v = 0;
        ++bad;
      } else if (f != 0 && f != 1.0) {
        v *= f;
      }
    }
    rec.invalid_samples += bad;
  }
  if (rec.invalid_samples > 0)
    rec.notes.push_back(StrFormat("%llu missing samples set to 0", static_cast<unsigned long long>(rec.invalid_samples)));
  return rec;
}

}  // namespace ecgr1
