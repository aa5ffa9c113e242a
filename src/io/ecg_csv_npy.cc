// ecg_csv_npy.cc — CSV and NumPy .npy ECG readers (contract in ecg_csv_npy.h).
//
// Both files are untrusted: every size is checked against the bytes present
// before allocating, every count is bounded, and every failure is one line
// naming the file (and the line, column or header field) through Fail().
#include "io/ecg_csv_npy.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/mapped_file.h"
#include "base/strings.h"

namespace ecgr1 {

const char* const kNpyDefault12LeadNames[12] = {"I",  "II", "III", "aVR", "aVF", "aVL",
                                                "V1", "V2", "V3",  "V4",  "V5",  "V6"};

namespace {

// ---------------------------------------------------------------- helpers --

// At most `max` bytes of untrusted text, safe to put inside a one-line
// message: non-printable bytes become '?', longer text ends with "...".
std::string Printable(std::string_view s, size_t max = 40) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}


// Parses all of `s` as a finite-or-not double; false if it is not a number.
bool ParseDouble(std::string_view s, double* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);  // from_chars rejects '+'
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out, std::chars_format::general);
  if (r.ec == std::errc::result_out_of_range) {
    // Over- or underflow of a well-formed number: keep the sign, let the
    // caller count an overflow as an invalid sample (like inf).
    if (r.ptr != s.data() + s.size()) return false;
    double mag = 0;
    // Underflow (e.g. 1e-400) is 0; overflow is inf. Tell them apart by the
    // exponent sign, which is the only way from_chars leaves them apart.
    const size_t e = s.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && e + 1 < s.size() && s[e + 1] == '-';
    mag = tiny ? 0.0 : HUGE_VAL;
    *out = (s.front() == '-') ? -mag : mag;
    return true;
  }
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// ------------------------------------------------------------------- CSV ---

// Missing-value spellings that count as an invalid sample (-> 0).
bool IsMissingToken(std::string_view s) {
  if (s.empty()) return true;
  const std::string l = AsciiLower(s);
  return l == "na" || l == "n/a" || l == "nan" || l == "null" || l == "none" || l == "-nan";
}

// Splits one CSV line on `sep`, honouring double quotes ("" is a quote inside
// quotes). Fields are trimmed of spaces and unquoted. Returns false on an
// unterminated quote.
bool SplitCsvLine(std::string_view line, char sep, std::vector<std::string>* fields) {
  fields->clear();
  std::string cur;
  bool in_quotes = false, was_quoted = false;
  size_t i = 0;
  auto finish = [&]() {
    fields->push_back(was_quoted ? cur : std::string(Trim(cur)));
    cur.clear();
    was_quoted = false;
  };
  for (; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"' && Trim(cur).empty()) {
      in_quotes = true;
      was_quoted = true;
      cur.clear();
    } else if (c == sep) {
      finish();
    } else if (was_quoted) {
      if (c != ' ' && c != '\t') return false;  // text after a closing quote
    } else {
      cur += c;
    }
  }
  if (in_quotes) return false;
  finish();
  return true;
}

// The separator of the header row: the most frequent of ',', ';', TAB outside
// quotes; 0 when none occurs (a single column).
char DetectSeparator(std::string_view line) {
  size_t n_comma = 0, n_semi = 0, n_tab = 0;
  bool q = false;
  for (char c : line) {
    if (c == '"') q = !q;
    if (q) continue;
    n_comma += c == ',';
    n_semi += c == ';';
    n_tab += c == '\t';
  }
  if (n_comma == 0 && n_semi == 0 && n_tab == 0) return 0;
  if (n_tab >= n_comma && n_tab >= n_semi) return '\t';
  return n_semi > n_comma ? ';' : ',';
}

bool IsTimeColumnName(const std::string& name) {
  const std::string l = AsciiLower(Trim(name));
  if (l.empty()) return true;  // pandas' unnamed index column
  static const char* const kNames[] = {"t", "sample", "samples", "sample #", "sample_no",
                                       "index", "idx", "n", "unnamed: 0"};
  for (const char* k : kNames)
    if (l == k) return true;
  return l.rfind("time", 0) == 0;  // time, time_s, time (s), timestamp, ...
}

// "# fs=500", "# sampling_rate: 500 Hz", "# units: uV": key and value of a
// comment line, lower-cased key with spaces/hyphens as '_'. False if the
// comment is not of the key=value / key: value form.
bool CommentKeyValue(std::string_view text, std::string* key, std::string* value) {
  const size_t sep = text.find_first_of("=:");
  if (sep == std::string_view::npos) return false;
  std::string k = AsciiLower(Trim(text.substr(0, sep)));
  for (char& c : k)
    if (c == ' ' || c == '-') c = '_';
  *key = k;
  *value = std::string(Trim(text.substr(sep + 1)));
  return !k.empty();
}

// A rate such as "500", "500 Hz", "500hz": > 0 and finite, else 0.
double ParseRate(std::string value) {
  std::string_view v = Trim(value);
  const std::string l = AsciiLower(v);
  if (l.size() > 2 && l.compare(l.size() - 2, 2, "hz") == 0) v = Trim(v.substr(0, v.size() - 2));
  double fs = 0;
  if (!ParseDouble(v, &fs) || !std::isfinite(fs) || fs <= 0) return 0;
  return fs;
}

// Millivolts per unit for a stated unit, 0 if unknown.
double MillivoltsPer(const std::string& unit) {
  const std::string l = AsciiLower(Trim(unit));
  if (l == "mv") return 1.0;
  if (l == "uv" || l == "\xc2\xb5v" || l == "\xce\xbcv" || l == "microvolt" || l == "microvolts") return 1e-3;
  if (l == "v" || l == "volt" || l == "volts") return 1e3;
  return 0;
}

}  // namespace

EcgRecord ReadEcgCsv(const std::string& path, const EcgReadOptions& opt) {
  const char* p = path.c_str();
  MappedFile file(path, ExitCode::kBadInput);
  if (file.size() > kMaxEcgTextFileBytes)
    Fail(ExitCode::kBadInput, "%s: CSV file is %zu bytes, more than the %zu allowed", p, file.size(),
         kMaxEcgTextFileBytes);
  std::string_view text(reinterpret_cast<const char*>(file.data()), file.size());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark

  EcgRecord rec;
  rec.source = path;
  rec.format = "csv";
  double file_fs = 0;
  std::string unit = "mV";
  bool unit_stated = false;

  std::vector<std::string> fields;
  std::vector<std::string> header;
  char sep = 0;
  size_t first_col = 0;  // 1 when a time/index column is dropped
  size_t line_no = 0;
  size_t pos = 0;
  bool have_header = false;
  std::vector<size_t> header_line_fields;

  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) continue;

    if (Trim(line).front() == '#') {
      std::string_view c = Trim(line);
      c.remove_prefix(1);
      c = Trim(c);
      if (rec.comments.size() < 10000) rec.comments.emplace_back(c);
      std::string key, value;
      if (!have_header && CommentKeyValue(c, &key, &value)) {
        if (key == "fs" || key == "sampling_rate" || key == "sample_rate" || key == "sampling_frequency" ||
            key == "sampling_freq" || key == "samplingrate") {
          file_fs = ParseRate(value);
          if (file_fs == 0)
            Fail(ExitCode::kBadInput, "%s: line %zu: sampling rate '%s' is not a positive number", p, line_no,
                 Printable(value).c_str());
        } else if (key == "units" || key == "unit") {
          if (MillivoltsPer(value) == 0)
            Fail(ExitCode::kBadInput, "%s: line %zu: unknown unit '%s' (known: mV, uV, V)", p, line_no,
                 Printable(value).c_str());
          unit = value;
          unit_stated = true;
        }
      }
      continue;
    }

    if (!have_header) {
      sep = DetectSeparator(line);
      if (!SplitCsvLine(line, sep == 0 ? '\n' : sep, &header))
        Fail(ExitCode::kBadInput, "%s: line %zu: unterminated quote in the header row", p, line_no);
      // A header must name the leads: a row of numbers means there is none.
      size_t numeric = 0;
      for (const std::string& h : header) {
        double v;
        numeric += ParseDouble(Trim(h), &v);
      }
      if (numeric == header.size())
        Fail(ExitCode::kBadInput,
             "%s: line %zu holds numbers, not a header row of lead names (add one, e.g. I,II,III,aVR,aVL,aVF,V1,...)",
             p, line_no);
      if (header.size() > 1 && IsTimeColumnName(header[0])) {
        first_col = 1;
        rec.notes.push_back("dropped the first column '" + Printable(header[0]) + "' as a time/index column");
      }
      const size_t n_leads = header.size() - first_col;
      if (n_leads == 0) Fail(ExitCode::kBadInput, "%s: line %zu: the header row names no leads", p, line_no);
      if (n_leads > kMaxEcgLeads)
        Fail(ExitCode::kBadInput, "%s: line %zu: the header names %zu leads, more than the %zu allowed", p, line_no,
             n_leads, kMaxEcgLeads);
      for (size_t i = first_col; i < header.size(); ++i) {
        if (header[i].empty())
          Fail(ExitCode::kBadInput, "%s: line %zu: column %zu has no lead name", p, line_no, i + 1);
        rec.leads.push_back(header[i]);
      }
      rec.signal.assign(n_leads, {});
      have_header = true;
      continue;
    }

    // A data row. The fast path splits without quotes.
    const size_t n_fields = header.size();
    if (line.find('"') == std::string_view::npos) {
      fields.clear();
      if (sep == 0) {
        fields.emplace_back(Trim(line));
      } else {
        size_t s = 0;
        while (true) {
          const size_t e = line.find(sep, s);
          fields.emplace_back(Trim(line.substr(s, e == std::string_view::npos ? std::string_view::npos : e - s)));
          if (e == std::string_view::npos) break;
          s = e + 1;
          if (fields.size() > n_fields) break;  // ragged; reported below
        }
      }
    } else if (!SplitCsvLine(line, sep == 0 ? '\n' : sep, &fields)) {
      Fail(ExitCode::kBadInput, "%s: line %zu: unterminated quote", p, line_no);
    }
    if (fields.size() != n_fields)
      Fail(ExitCode::kBadInput, "%s: line %zu has %s%zu fields, the header row has %zu", p, line_no,
           fields.size() > n_fields ? "more than " : "", fields.size() > n_fields ? n_fields : fields.size(),
           n_fields);
    for (size_t i = first_col; i < n_fields; ++i) {
      std::string& cell = fields[i];
      double v = 0;
      if (IsMissingToken(cell)) {
        ++rec.invalid_samples;
      } else {
        bool ok = ParseDouble(cell, &v);
        if (!ok && sep == ';' && cell.find(',') != std::string::npos && cell.find('.') == std::string::npos) {
          std::replace(cell.begin(), cell.end(), ',', '.');  // decimal comma
          ok = ParseDouble(cell, &v);
        }
        if (!ok)
          Fail(ExitCode::kBadInput, "%s: line %zu, column %zu (%s): '%s' is not a number", p, line_no, i + 1,
               Printable(rec.leads[i - first_col], 16).c_str(), Printable(cell).c_str());
        if (!std::isfinite(v)) {
          v = 0;
          ++rec.invalid_samples;
        }
      }
      rec.signal[i - first_col].push_back(v);
    }
  }
  if (!have_header) Fail(ExitCode::kBadInput, "%s: no header row of lead names (the file is empty)", p);
  if (rec.length() == 0) Fail(ExitCode::kBadInput, "%s: the header row is followed by no samples", p);

  if (opt.fs > 0) {
    rec.fs = opt.fs;
    if (file_fs > 0 && std::fabs(file_fs - opt.fs) > 1e-9 * opt.fs)
      rec.notes.push_back(StrFormat("the file says fs=%g Hz; used the given %g Hz", file_fs, opt.fs));
  } else if (file_fs > 0) {
    rec.fs = file_fs;
  } else {
    Fail(ExitCode::kBadInput, "%s: the sampling rate is not in the file: pass --fs", p);
  }

  const double scale = MillivoltsPer(unit);
  if (scale != 1.0) {
    for (auto& lead : rec.signal)
      for (double& v : lead) v *= scale;
    rec.notes.push_back("converted " + Printable(unit, 16) + " to mV as the file's units comment says");
  }
  if (!unit_stated) rec.notes.push_back("CSV values assumed to be mV (the file states no units)");
  rec.units.assign(rec.leads.size(), unit_stated ? Printable(unit, 16) : "mV");
  if (rec.invalid_samples > 0)
    rec.notes.push_back(StrFormat("%llu empty/NaN/inf cells set to 0",
                                  static_cast<unsigned long long>(rec.invalid_samples)));
  return rec;
}

// ------------------------------------------------------------------- NPY ---

namespace {

// The parsed .npy header dictionary.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<uint64_t> shape;
};

// A recursive-descent reader of the Python-literal dict numpy writes, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (12, 5000), }
// Accepts exactly: string keys; string, True/False and tuples of non-negative
// integers as values. Anything else (lists, nested dicts: structured dtypes)
// is refused.
class NpyDictParser {
 public:
  NpyDictParser(std::string_view s, const char* path) : s_(s), path_(path) {}

  NpyHeader Parse() {
    NpyHeader h;
    bool have_descr = false, have_order = false, have_shape = false;
    Expect('{');
    while (true) {
      SkipSpace();
      if (Peek() == '}') break;
      const std::string key = String();
      Expect(':');
      SkipSpace();
      if (key == "descr") {
        if (have_descr) Bad("repeated key 'descr'");
        if (Peek() == '[') Bad("structured dtypes (a list 'descr') are not supported");
        h.descr = String();
        have_descr = true;
      } else if (key == "fortran_order") {
        if (have_order) Bad("repeated key 'fortran_order'");
        h.fortran_order = Bool();
        have_order = true;
      } else if (key == "shape") {
        if (have_shape) Bad("repeated key 'shape'");
        h.shape = Tuple();
        have_shape = true;
      } else {
        Bad("unexpected key '" + Printable(key) + "'");
      }
      SkipSpace();
      if (Peek() == ',') {
        ++i_;
        continue;
      }
      if (Peek() != '}') Bad("expected ',' or '}'");
    }
    ++i_;
    SkipSpace();
    if (i_ != s_.size()) Bad("text after the dictionary");
    if (!have_descr || !have_order || !have_shape) Bad("needs the keys 'descr', 'fortran_order' and 'shape'");
    return h;
  }

 private:
  [[noreturn]] void Bad(const std::string& what) const {
    Fail(ExitCode::kBadInput, "%s: .npy header: %s (at byte %zu of the header dictionary)", path_, what.c_str(), i_);
  }
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  void Expect(char c) {
    SkipSpace();
    if (Peek() != c) Bad(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string String() {
    SkipSpace();
    const char q = Peek();
    if (q != '\'' && q != '"') Bad("expected a quoted string");
    const size_t start = ++i_;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\') Bad("escapes in strings are not supported");
      ++i_;
    }
    if (i_ >= s_.size()) Bad("unterminated string");
    return std::string(s_.substr(start, i_++ - start));
  }
  bool Bool() {
    if (s_.substr(i_, 4) == "True") {
      i_ += 4;
      return true;
    }
    if (s_.substr(i_, 5) == "False") {
      i_ += 5;
      return false;
    }
    Bad("expected True or False");
  }
  std::vector<uint64_t> Tuple() {
    std::vector<uint64_t> dims;
    Expect('(');
    while (true) {
      SkipSpace();
      if (Peek() == ')') break;
      if (Peek() < '0' || Peek() > '9') Bad("expected a non-negative integer in 'shape'");
      uint64_t v = 0;
      while (Peek() >= '0' && Peek() <= '9') {
        if (MulOverflow(v, 10, &v) || AddOverflow(v, static_cast<uint64_t>(Peek() - '0'), &v))
          Bad("a dimension in 'shape' overflows 64 bits");
        ++i_;
      }
      if (Peek() == 'L') ++i_;  // Python 2 long literal
      if (dims.size() >= 16) Bad("'shape' has more than 16 dimensions");
      dims.push_back(v);
      SkipSpace();
      if (Peek() == ',') {
        ++i_;
        continue;
      }
      if (Peek() != ')') Bad("expected ',' or ')' in 'shape'");
    }
    ++i_;
    return dims;
  }

  std::string_view s_;
  const char* path_;
  size_t i_ = 0;
};

enum class NpyKind { kF4, kF8, kI2, kI4, kI8 };

std::string ShapeText(const std::vector<uint64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

template <typename T>
T LoadElem(const uint8_t* p, bool swap) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

}  // namespace

EcgRecord ReadEcgNpy(const std::string& path, const EcgReadOptions& opt) {
  const char* p = path.c_str();
  MappedFile file(path, ExitCode::kBadInput);
  if (file.size() > kMaxEcgNpyFileBytes)
    Fail(ExitCode::kBadInput, "%s: .npy file is %zu bytes, more than the %zu allowed", p, file.size(),
         kMaxEcgNpyFileBytes);
  ByteReader r(file.data(), file.size(), path, ExitCode::kBadInput);
  if (file.size() < 10 || std::memcmp(file.data(), "\x93NUMPY", 6) != 0)
    Fail(ExitCode::kBadInput, "%s: not a .npy file (no \\x93NUMPY magic)", p);
  r.Bytes(6);
  const uint8_t major = r.U8();
  const uint8_t minor = r.U8();
  size_t header_len = 0;
  if (major == 1) {
    header_len = r.U8();
    header_len |= static_cast<size_t>(r.U8()) << 8;
  } else if (major == 2 || major == 3) {
    header_len = r.U32();
  } else {
    Fail(ExitCode::kBadInput, "%s: .npy format version %u.%u is not supported (1.0, 2.0, 3.0 are)", p, major, minor);
  }
  constexpr size_t kMaxHeader = 1 << 16;
  if (header_len > kMaxHeader)
    Fail(ExitCode::kBadInput, "%s: .npy header is %zu bytes, more than the %zu allowed", p, header_len, kMaxHeader);
  if (header_len > r.remaining())
    Fail(ExitCode::kBadInput, "%s: truncated: the .npy header needs %zu bytes, the file has %zu after the preamble",
         p, header_len, r.remaining());
  std::string_view htext(reinterpret_cast<const char*>(r.Bytes(header_len)), header_len);
  for (char c : htext)
    if (static_cast<unsigned char>(c) >= 0x80 || (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t'))
      Fail(ExitCode::kBadInput, "%s: .npy header holds non-ASCII or control bytes", p);
  while (!htext.empty() && (htext.back() == '\n' || htext.back() == ' ')) htext.remove_suffix(1);
  const NpyHeader h = NpyDictParser(htext, p).Parse();

  // dtype: byte order, kind, size.
  const std::string& d = h.descr;
  if (d == "|O" || d == "O")
    Fail(ExitCode::kBadInput, "%s: .npy holds Python objects (dtype %s), which need pickle: save a numeric array", p,
         Printable(d).c_str());
  NpyKind kind;
  size_t item = 0;
  bool swap = false;
  {
    const char order = d.empty() ? '?' : d[0];
    const std::string t = d.size() > 1 ? d.substr(1) : "";
    if (t == "f4") kind = NpyKind::kF4, item = 4;
    else if (t == "f8") kind = NpyKind::kF8, item = 8;
    else if (t == "i2") kind = NpyKind::kI2, item = 2;
    else if (t == "i4") kind = NpyKind::kI4, item = 4;
    else if (t == "i8") kind = NpyKind::kI8, item = 8;
    else
      Fail(ExitCode::kBadInput, "%s: .npy dtype '%s' is not supported (float32/64 or int16/32/64 are)", p,
           Printable(d).c_str());
    if (order == '>') swap = true;  // this build runs on little-endian CPUs only (x86-64, arm64)
    else if (order != '<' && order != '=')
      Fail(ExitCode::kBadInput, "%s: .npy dtype '%s' has no byte order", p, Printable(d).c_str());
  }
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .npy reader assumes a little-endian host");

  // Shape: squeeze size-1 dimensions down to two, then pick the lead axis.
  std::vector<uint64_t> dims = h.shape;
  if (dims.empty()) Fail(ExitCode::kBadInput, "%s: .npy holds a scalar (shape ()), not a signal", p);
  uint64_t count = 1;
  for (uint64_t v : dims)
    if (MulOverflow(count, v, &count))
      Fail(ExitCode::kBadInput, "%s: .npy shape %s overflows", p, ShapeText(h.shape).c_str());
  uint64_t bytes = 0;
  if (MulOverflow(count, item, &bytes))
    Fail(ExitCode::kBadInput, "%s: .npy shape %s overflows", p, ShapeText(h.shape).c_str());
  if (bytes != r.remaining())
    Fail(ExitCode::kBadInput, "%s: .npy shape %s of %s needs %llu data bytes, the file has %zu%s", p,
         ShapeText(h.shape).c_str(), Printable(d).c_str(), static_cast<unsigned long long>(bytes), r.remaining(),
         bytes > r.remaining() ? " (truncated)" : "");
  if (count == 0) Fail(ExitCode::kBadInput, "%s: .npy shape %s holds no samples", p, ShapeText(h.shape).c_str());
  // With Fortran order the squeeze must keep the axis meaning: size-1 axes do
  // not change the linear layout in either order, so dropping them is safe.
  std::vector<uint64_t> sq;
  for (uint64_t v : dims)
    if (v != 1) sq.push_back(v);
  if (sq.size() > 2)
    Fail(ExitCode::kBadInput, "%s: .npy shape %s has more than two dimensions larger than 1", p,
         ShapeText(h.shape).c_str());
  while (sq.size() < 2) sq.insert(sq.begin(), 1);  // (n,) and (1,n) are one lead; (1,1) is one sample
  const uint64_t rows = sq[0], cols = sq[1];
  bool leads_are_rows;
  if (dims.size() == 1) leads_are_rows = true;
  else if (rows == 12 && cols != 12) leads_are_rows = true;
  else if (cols == 12 && rows != 12) leads_are_rows = false;
  else leads_are_rows = rows <= cols;
  const uint64_t n_leads = leads_are_rows ? rows : cols;
  const uint64_t n_samples = leads_are_rows ? cols : rows;
  if (n_leads > kMaxEcgLeads)
    Fail(ExitCode::kBadInput, "%s: .npy shape %s: the smaller dimension (%llu) is too many leads (at most %zu)", p,
         ShapeText(h.shape).c_str(), static_cast<unsigned long long>(n_leads), kMaxEcgLeads);

  EcgRecord rec;
  rec.source = path;
  rec.format = "npy (" + d + ")";
  rec.signal.assign(n_leads, std::vector<double>(n_samples));
  const uint8_t* data = r.Bytes(bytes);
  for (uint64_t i = 0; i < rows; ++i) {
    for (uint64_t j = 0; j < cols; ++j) {
      const uint64_t idx = h.fortran_order ? i + j * rows : i * cols + j;
      const uint8_t* e = data + idx * item;
      double v = 0;
      switch (kind) {
        case NpyKind::kF4: v = LoadElem<float>(e, swap); break;
        case NpyKind::kF8: v = LoadElem<double>(e, swap); break;
        case NpyKind::kI2: v = LoadElem<int16_t>(e, swap); break;
        case NpyKind::kI4: v = LoadElem<int32_t>(e, swap); break;
        case NpyKind::kI8: v = static_cast<double>(LoadElem<int64_t>(e, swap)); break;
      }
      if (!std::isfinite(v)) {
        v = 0;
        ++rec.invalid_samples;
      }
      (leads_are_rows ? rec.signal[i][j] : rec.signal[j][i]) = v;
    }
  }

  if (opt.fs > 0) rec.fs = opt.fs;
  else Fail(ExitCode::kBadInput, "%s: the sampling rate is not in the file: pass --fs", p);

  if (n_leads == 12) {
    rec.leads.assign(kNpyDefault12LeadNames, kNpyDefault12LeadNames + 12);
    rec.notes.push_back("12-lead .npy: lead order assumed to be I, II, III, aVR, aVF, aVL, V1-V6 (no names in the file)");
  } else {
    for (uint64_t i = 0; i < n_leads; ++i) rec.leads.push_back("ch" + std::to_string(i));
    rec.notes.push_back(StrFormat("%llu-lead .npy: leads named ch0.. (no names in the file)",
                                  static_cast<unsigned long long>(n_leads)));
  }
  rec.units.assign(n_leads, "mV");
  rec.notes.push_back(std::string(".npy values assumed to be mV") +
                      (kind == NpyKind::kF4 || kind == NpyKind::kF8 ? "" : " (integers taken as stored, no gain)"));
  rec.notes.push_back(StrFormat(".npy shape %s, %s order, leads along the %s dimension", ShapeText(h.shape).c_str(),
                                h.fortran_order ? "Fortran" : "C", leads_are_rows ? "first" : "second"));
  if (rec.invalid_samples > 0)
    rec.notes.push_back(StrFormat("%llu NaN/inf samples set to 0", static_cast<unsigned long long>(rec.invalid_samples)));
  return rec;
}

}  // namespace ecgr1
