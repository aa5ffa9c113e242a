// tokenizer.h — Qwen2/Qwen3 byte-level BPE, exactly as tokenizer.json defines it.
//
// Pipeline for Encode: split out added tokens (leftmost-longest exact match;
// special ones only when parse_special is true, non-special ones such as
// <think> always), NFC-normalise the text between them, split with Qwen's
// pre-tokenizer regex (PCRE2 with Unicode classes), map bytes to the GPT-2
// byte-level alphabet, merge by rank. Decode maps tokens back to raw bytes
// (which may end inside a UTF-8 sequence; see Utf8Stream).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecgr1 {

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool special = false;
};

class Tokenizer {
 public:
  // Parses a Hugging Face tokenizer.json (text). `source` names the file in errors.
  // Throws Error(kBadModel) on missing/invalid fields or an unsupported model
  // type / pre-tokenizer.
  static Tokenizer FromHuggingFace(const std::string& json_text, const std::string& source);
  // Our compact form stored in .ecgr1 metadata (vocab in id order, merges,
  // added tokens, pre-tokenizer regex, normalizer), and back.
  nlohmann::json ToJson() const;
  static Tokenizer FromJson(const nlohmann::json& j, const std::string& source);

  Tokenizer();
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  // parse_special: recognise special added tokens in `text` (HF's default);
  // false treats them as plain text (user input can't inject <|im_end|>).
  // Invalid UTF-8 in `text` is replaced by U+FFFD first (never an error).
  // Thread-safe (the BPE cache is locked).
  std::vector<int32_t> Encode(std::string_view text, bool parse_special) const;
  // Raw bytes of the tokens concatenated (not necessarily valid UTF-8).
  // An id outside [0, size()) throws Error(kBadInput) "token id N out of range";
  // Piece and TokenBytes do the same.
  std::string DecodeBytes(const std::vector<int32_t>& ids) const;
  // DecodeBytes with invalid UTF-8 replaced by U+FFFD (as HF errors="replace").
  std::string Decode(const std::vector<int32_t>& ids) const;
  // The token's string as in the vocab (byte-level alphabet, e.g. "Ġworld").
  const std::string& Piece(int32_t id) const;
  // Raw bytes of one token.
  const std::string& TokenBytes(int32_t id) const;
  // -1 if `content` is neither a vocab piece nor an added token.
  int32_t TokenId(std::string_view content) const;
  bool IsSpecial(int32_t id) const;
  // Total number of ids (vocab + added tokens): largest id + 1.
  int32_t size() const;
  const std::vector<AddedToken>& added_tokens() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Holds back an incomplete UTF-8 sequence at the end of streamed bytes so that
// a token boundary inside a multi-byte character never prints garbage.
class Utf8Stream {
 public:
  // Appends bytes; returns the longest prefix of pending bytes that is
  // complete UTF-8 (invalid sequences become U+FFFD).
  std::string Push(std::string_view bytes);
  // Returns whatever is left (an incomplete tail becomes U+FFFD).
  std::string Flush();

 private:
  std::string pending_;
};

// Replaces invalid UTF-8 in `bytes` by U+FFFD.
std::string SanitizeUtf8(std::string_view bytes);

}  // namespace ecgr1
