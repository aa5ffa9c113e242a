// utf8.cc — see utf8.h. Table-free decoder; ASCII runs take a fast path.
#include "text/utf8.h"

namespace ecgr1::utf8 {

Seq DecodeOne(const unsigned char* s, size_t n) {
  const unsigned char b0 = s[0];
  if (b0 < 0x80) return {SeqStatus::kValid, 1, b0};
  int need;          // continuation bytes that must follow
  uint32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the FIRST continuation byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {SeqStatus::kInvalid, 1, 0};  // 80..C1 or F5..FF can never start a sequence
  }
  for (int k = 1; k <= need; ++k) {
    if (static_cast<size_t>(k) >= n) return {SeqStatus::kTruncated, static_cast<int>(n), 0};
    const unsigned char b = s[k];
    const unsigned char l = (k == 1) ? lo : 0x80, h = (k == 1) ? hi : 0xBF;
    if (b < l || b > h) return {SeqStatus::kInvalid, k, 0};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {SeqStatus::kValid, need + 1, cp};
}

void Append(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValid(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0, n = s.size();
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const Seq q = DecodeOne(p + i, n - i);
    if (q.status != SeqStatus::kValid) return false;
    i += static_cast<size_t>(q.len);
  }
  return true;
}

size_t SettledPrefix(std::string_view s) {
  // A truncated sequence is at most 3 bytes long, so only the tail matters:
  // find the last lead byte among the final 3 bytes and test from there.
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const size_t i = n - back;
    if ((p[i] & 0xC0) != 0x80) {  // not a continuation byte: a possible start
      const Seq q = DecodeOne(p + i, back);
      return q.status == SeqStatus::kTruncated ? i : n;
    }
  }
  return n;
}

void AppendSanitized(std::string_view s, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0, n = s.size();
  out->reserve(out->size() + n);
  while (i < n) {
    size_t j = i;
    while (j < n && p[j] < 0x80) ++j;
    if (j > i) {
      out->append(s.data() + i, j - i);
      i = j;
      continue;
    }
    const Seq q = DecodeOne(p + i, n - i);
    if (q.status == SeqStatus::kValid) {
      out->append(s.data() + i, static_cast<size_t>(q.len));
    } else {
      out->append("\xEF\xBF\xBD");  // U+FFFD
    }
    i += static_cast<size_t>(q.len);
  }
}

}  // namespace ecgr1::utf8
