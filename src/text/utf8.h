// utf8.h — small UTF-8 primitives shared by the tokenizer and streaming output.
//
// Invalid input is handled the way Python's errors="replace" and Rust's
// from_utf8_lossy do it (Unicode "maximal subpart" practice): each maximal
// prefix of a would-be sequence that cannot be completed becomes one U+FFFD,
// and decoding resumes at the first byte that broke the sequence. Overlong
// forms, surrogates (ED A0..BF) and code points above U+10FFFF are invalid.
// These functions never read past the bytes they are given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ecgr1::utf8 {

enum class SeqStatus {
  kValid,      // `len` bytes form the code point `cp`
  kInvalid,    // `len` bytes (>= 1) are a maximal invalid subpart: one U+FFFD
  kTruncated,  // all `len` available bytes are a valid prefix of a longer sequence
};

struct Seq {
  SeqStatus status;
  int len;
  uint32_t cp;  // only for kValid
};

// Decodes the sequence starting at s[0]; `n` >= 1 bytes are available.
Seq DecodeOne(const unsigned char* s, size_t n);

// Appends the UTF-8 encoding of `cp` (must be a scalar value <= 0x10FFFF).
void Append(uint32_t cp, std::string* out);

// True if `s` is entirely valid UTF-8.
bool IsValid(std::string_view s);

// Number of leading bytes of `s` that are "settled": everything except a
// trailing kTruncated sequence (which more bytes could still complete).
size_t SettledPrefix(std::string_view s);

// Appends `s` to `out` with every invalid subpart (including a truncated
// tail) replaced by U+FFFD.
void AppendSanitized(std::string_view s, std::string* out);

}  // namespace ecgr1::utf8
