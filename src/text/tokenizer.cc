// tokenizer.cc — byte-level BPE as Hugging Face `tokenizers` runs it for Qwen2/Qwen3.
//
// Load: tokenizer.json (FromHuggingFace) or our compact metadata (FromJson) both
// end in Build(), which validates everything and builds the tables:
//   vocab piece -> id, (left id, right id) -> (rank, merged id), byte -> id,
//   per-id piece and raw bytes, added tokens grouped by first byte.
// Encode: sanitize UTF-8 (invalid bytes -> U+FFFD; HF cannot even accept such
// input, so this is our choice) -> split out added tokens (leftmost-longest) ->
// NFC -> regex split (PCRE2, UTF+UCP, JIT when available) -> bytes to ids ->
// merge by rank with a min-heap over adjacent pairs, O(n log n) in the piece
// length, with a bounded cache of short pieces.
#include "text/tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>

#include "base/error.h"
#include "io/json.h"
#include "text/utf8.h"

namespace ecgr1 {
namespace {

// Bounds for untrusted files. Real tokenizers: ~152k ids, pieces <= 128 chars.
constexpr int64_t kMaxTokens = int64_t{1} << 24;
constexpr size_t kMaxPieceBytes = 4096;
constexpr size_t kMaxRegexBytes = 4096;
// BPE results are cached only for short pieces (the usual words).
constexpr size_t kMaxCachedPieceBytes = 64;
constexpr size_t kMaxCacheEntries = 1 << 16;

// The pre-tokenizer regex of the ByteLevel pre-tokenizer with use_regex=true (GPT-2).
constexpr const char* kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// GPT-2's bytes_to_unicode: printable bytes stand for themselves, the other 68
// bytes map to U+0100.. in byte order. Stand-ins are all < U+0144.
struct ByteTable {
  std::array<uint32_t, 256> to_cp{};
  std::array<int16_t, 0x144> to_byte{};
  ByteTable() {
    to_byte.fill(-1);
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool self = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      to_cp[b] = self ? static_cast<uint32_t>(b) : next++;
      to_byte[to_cp[b]] = static_cast<int16_t>(b);
    }
  }
};
const ByteTable& Bytes() {
  static const ByteTable table;
  return table;
}

// Raw bytes of a piece as the ByteLevel decoder produces them: if every char
// is a stand-in, the bytes they stand for; otherwise the piece's own UTF-8
// (HF does the same, per token).
std::string PieceToBytes(const std::string& piece) {
  const ByteTable& t = Bytes();
  std::string out;
  out.reserve(piece.size());
  const auto* p = reinterpret_cast<const unsigned char*>(piece.data());
  size_t i = 0;
  while (i < piece.size()) {
    const utf8::Seq q = utf8::DecodeOne(p + i, piece.size() - i);
    if (q.status != utf8::SeqStatus::kValid || q.cp >= t.to_byte.size() || t.to_byte[q.cp] < 0) {
      return piece;
    }
    out.push_back(static_cast<char>(t.to_byte[q.cp]));
    i += static_cast<size_t>(q.len);
  }
  return out;
}

std::string ByteToPiece(unsigned char b) {
  std::string s;
  utf8::Append(Bytes().to_cp[b], &s);
  return s;
}

// A piece for an error message: at most 40 bytes, control bytes escaped, one line.
std::string Quote(std::string_view s) {
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < 40; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F || c == '\'' || c == '\\') {
      out += StrFormat("\\x%02X", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (s.size() > 40) out += "...";
  return out + "'";
}

uint64_t PairKey(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}
struct PairHash {
  size_t operator()(uint64_t x) const {  // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return static_cast<size_t>(x);
  }
};
struct MergeInfo {
  int32_t rank;
  int32_t merged;
};

// Where a loader error happened, for messages "<source>: <what>: ...".
struct Ctx {
  const std::string& source;
  const char* what;  // "tokenizer.json" or "tokenizer metadata"
};

[[noreturn]] void Bad(const Ctx& c, const std::string& msg) {
  Fail(ExitCode::kBadModel, "%s: %s: %s", c.source.c_str(), c.what, msg.c_str());
}

// Everything a loader hands to Build().
struct Spec {
  std::vector<std::string> vocab;                       // piece per id 0..V-1
  std::vector<std::pair<std::string, std::string>> merges;  // rank order
  std::vector<AddedToken> added;
  std::string regex;
  bool nfc = false;
};

}  // namespace

struct Tokenizer::Impl {
  // --- tables (immutable after Build) ---
  std::vector<std::string> vocab;               // model pieces, id order (for ToJson)
  std::vector<std::pair<int32_t, int32_t>> merge_pairs;  // rank order (for ToJson)
  std::vector<std::string> pieces;              // per id: vocab piece or added content
  std::vector<std::string> bytes;               // per id: raw bytes
  std::vector<uint8_t> special;                 // per id
  std::unordered_map<std::string, int32_t> piece_to_id;
  std::unordered_map<std::string, int32_t> added_to_id;
  std::unordered_map<uint64_t, MergeInfo, PairHash> merges;
  std::array<int32_t, 256> byte_ids{};
  std::vector<AddedToken> added;
  std::array<std::vector<int32_t>, 256> added_by_first;  // indices into `added`, longest first
  std::string regex;
  bool nfc = false;
  pcre2_code* re = nullptr;
  bool jit = false;

  // --- BPE cache (the only mutable state; Encode is thread-safe) ---
  mutable std::mutex cache_mu;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache;

  ~Impl() {
    if (re) pcre2_code_free(re);
  }

  // Validates `spec` and fills the tables (shared by both loaders).
  void Build(const Ctx& c, Spec&& spec);
  void EncodeSegment(std::string_view seg, pcre2_match_data* md, pcre2_match_context*& mctx,
                     pcre2_jit_stack*& stack, std::vector<int32_t>* out) const;
  void EncodePiece(std::string_view piece, std::vector<int32_t>* out) const;
  void Bpe(std::string_view piece, std::vector<int32_t>* out) const;
};

namespace {

}  // namespace

void Tokenizer::Impl::Build(const Ctx& c, Spec&& spec) {
  Impl* t = this;
  const int64_t nv = static_cast<int64_t>(spec.vocab.size());
  if (nv == 0) Bad(c, "vocab is empty");
  if (nv > kMaxTokens) Bad(c, StrFormat("vocab has %lld entries (limit %lld)", (long long)nv, (long long)kMaxTokens));

  // Vocab pieces: non-empty, bounded, valid UTF-8, unique.
  t->piece_to_id.reserve(spec.vocab.size() * 2);
  for (int64_t i = 0; i < nv; ++i) {
    const std::string& p = spec.vocab[i];
    if (p.empty()) Bad(c, StrFormat("vocab id %lld has an empty piece", (long long)i));
    if (p.size() > kMaxPieceBytes) Bad(c, StrFormat("vocab id %lld: piece longer than %zu bytes", (long long)i, kMaxPieceBytes));
    if (!utf8::IsValid(p)) Bad(c, StrFormat("vocab id %lld: piece is not valid UTF-8", (long long)i));
    auto ins = t->piece_to_id.emplace(p, static_cast<int32_t>(i));
    if (!ins.second) {
      Bad(c, StrFormat("vocab piece %s appears twice (ids %d and %lld)", Quote(p).c_str(), ins.first->second, (long long)i));
    }
  }
  for (int b = 0; b < 256; ++b) {
    auto it = t->piece_to_id.find(ByteToPiece(static_cast<unsigned char>(b)));
    if (it == t->piece_to_id.end()) Bad(c, StrFormat("vocab lacks the byte-level symbol for byte 0x%02X", b));
    t->byte_ids[b] = it->second;
  }

  // Merges: both halves and their concatenation must be vocab pieces. A pair
  // listed twice keeps its last rank (HF and the Python tokenizer both do).
  t->merges.reserve(spec.merges.size() * 2);
  t->merge_pairs.reserve(spec.merges.size());
  std::string joined;
  for (size_t r = 0; r < spec.merges.size(); ++r) {
    const auto& [a, b] = spec.merges[r];
    auto ia = t->piece_to_id.find(a);
    auto ib = t->piece_to_id.find(b);
    if (ia == t->piece_to_id.end() || ib == t->piece_to_id.end()) {
      Bad(c, StrFormat("merge %zu (%s %s) references unknown piece %s", r, Quote(a).c_str(), Quote(b).c_str(),
                       Quote(ia == t->piece_to_id.end() ? a : b).c_str()));
    }
    joined.assign(a).append(b);
    auto iab = t->piece_to_id.find(joined);
    if (iab == t->piece_to_id.end()) {
      Bad(c, StrFormat("merge %zu (%s %s) produces %s, which is not in the vocab", r, Quote(a).c_str(),
                       Quote(b).c_str(), Quote(joined).c_str()));
    }
    t->merges[PairKey(ia->second, ib->second)] = MergeInfo{static_cast<int32_t>(r), iab->second};
    t->merge_pairs.emplace_back(ia->second, ib->second);
  }

  // Added tokens: ids bounded and unique, contents non-empty and unique. An
  // added token may reuse a vocab id (its content then names that id).
  int64_t size = nv;
  std::unordered_map<int32_t, size_t> added_ids;
  for (size_t k = 0; k < spec.added.size(); ++k) {
    const AddedToken& a = spec.added[k];
    if (a.id < 0 || a.id >= kMaxTokens) Bad(c, StrFormat("added token %zu: id %d out of range", k, a.id));
    if (a.content.empty()) Bad(c, StrFormat("added token id %d has empty content", a.id));
    if (a.content.size() > kMaxPieceBytes) Bad(c, StrFormat("added token id %d: content longer than %zu bytes", a.id, kMaxPieceBytes));
    if (!utf8::IsValid(a.content)) Bad(c, StrFormat("added token id %d: content is not valid UTF-8", a.id));
    if (!added_ids.emplace(a.id, k).second) Bad(c, StrFormat("added token id %d appears twice", a.id));
    if (!t->added_to_id.emplace(a.content, a.id).second) {
      Bad(c, StrFormat("added token %s appears twice", Quote(a.content).c_str()));
    }
    size = std::max<int64_t>(size, int64_t{a.id} + 1);
  }

  // Per-id tables. Ids between the vocab and the added tokens (if any) have
  // empty pieces and decode to nothing.
  t->pieces.assign(static_cast<size_t>(size), std::string());
  t->bytes.assign(static_cast<size_t>(size), std::string());
  t->special.assign(static_cast<size_t>(size), 0);
  for (int64_t i = 0; i < nv; ++i) {
    t->pieces[i] = spec.vocab[i];
    t->bytes[i] = PieceToBytes(spec.vocab[i]);
  }
  for (const AddedToken& a : spec.added) {
    t->pieces[a.id] = a.content;
    t->bytes[a.id] = PieceToBytes(a.content);
    t->special[a.id] = a.special ? 1 : 0;
  }
  t->added = std::move(spec.added);
  for (size_t k = 0; k < t->added.size(); ++k) {
    t->added_by_first[static_cast<unsigned char>(t->added[k].content[0])].push_back(static_cast<int32_t>(k));
  }
  for (auto& v : t->added_by_first) {
    std::stable_sort(v.begin(), v.end(), [&](int32_t x, int32_t y) {
      return t->added[x].content.size() > t->added[y].content.size();
    });
  }
  t->vocab = std::move(spec.vocab);

  // Pre-tokenizer regex.
  if (spec.regex.empty()) Bad(c, "pre-tokenizer regex is empty");
  if (spec.regex.size() > kMaxRegexBytes) Bad(c, StrFormat("pre-tokenizer regex longer than %zu bytes", kMaxRegexBytes));
  if (!utf8::IsValid(spec.regex)) Bad(c, "pre-tokenizer regex is not valid UTF-8");
  int err = 0;
  PCRE2_SIZE err_off = 0;
  t->re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(spec.regex.data()), spec.regex.size(),
                        PCRE2_UTF | PCRE2_UCP, &err, &err_off, nullptr);
  if (!t->re) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof(buf));
    Bad(c, StrFormat("pre-tokenizer regex does not compile: %s at offset %zu", reinterpret_cast<char*>(buf),
                     static_cast<size_t>(err_off)));
  }
  t->jit = pcre2_jit_compile(t->re, PCRE2_JIT_COMPLETE) == 0;  // interpreter otherwise
  t->regex = std::move(spec.regex);
  t->nfc = spec.nfc;
}

namespace {

// --- JSON field access with messages naming the field ---

const nlohmann::json& Field(const Ctx& c, const nlohmann::json& obj, const char* key, const char* path) {
  auto it = obj.find(key);
  if (it == obj.end()) Bad(c, StrFormat("missing %s", path));
  return *it;
}

const std::string& StringField(const Ctx& c, const nlohmann::json& obj, const char* key, const char* path) {
  const nlohmann::json& v = Field(c, obj, key, path);
  if (!v.is_string()) Bad(c, StrFormat("%s is not a string", path));
  return v.get_ref<const std::string&>();
}

// Optional field that, if present and not null, must have one value.
bool IsNullOr(const nlohmann::json& obj, const char* key, const nlohmann::json& ok) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() || *it == ok;
}

std::vector<AddedToken> ParseAddedTokens(const Ctx& c, const nlohmann::json& arr, const char* path) {
  if (!arr.is_array()) Bad(c, StrFormat("%s is not an array", path));
  std::vector<AddedToken> out;
  out.reserve(arr.size());
  for (size_t k = 0; k < arr.size(); ++k) {
    const nlohmann::json& e = arr[k];
    if (!e.is_object()) Bad(c, StrFormat("%s[%zu] is not an object", path, k));
    const std::string p = StrFormat("%s[%zu]", path, k);
    const nlohmann::json& id = Field(c, e, "id", (p + ".id").c_str());
    if (!id.is_number_integer()) Bad(c, StrFormat("%s.id is not an integer", p.c_str()));
    const int64_t idv = id.get<int64_t>();
    if (idv < 0 || idv >= kMaxTokens) Bad(c, StrFormat("%s.id %lld out of range", p.c_str(), (long long)idv));
    AddedToken a;
    a.id = static_cast<int32_t>(idv);
    a.content = StringField(c, e, "content", (p + ".content").c_str());
    const nlohmann::json& sp = Field(c, e, "special", (p + ".special").c_str());
    if (!sp.is_boolean()) Bad(c, StrFormat("%s.special is not a boolean", p.c_str()));
    a.special = sp.get<bool>();
    // Options we do not implement must be off (HF's defaults).
    for (const char* opt : {"lstrip", "rstrip", "single_word"}) {
      if (!IsNullOr(e, opt, false)) Bad(c, StrFormat("%s.%s is not supported (must be false)", p.c_str(), opt));
    }
    out.push_back(std::move(a));
  }
  return out;
}

// Splits a merge "a b" (exactly one space; byte-level pieces never contain one).
bool SplitMerge(const std::string& s, std::pair<std::string, std::string>* out) {
  const size_t sp = s.find(' ');
  if (sp == std::string::npos || sp == 0 || sp + 1 >= s.size() || s.find(' ', sp + 1) != std::string::npos) {
    return false;
  }
  out->first.assign(s, 0, sp);
  out->second.assign(s, sp + 1, std::string::npos);
  return true;
}

// The regex of a supported HF pre-tokenizer, or an error.
std::string PreTokenizerRegex(const Ctx& c, const nlohmann::json& pt) {
  auto unsupported = [&](const std::string& why) {
    Bad(c, "unsupported pre-tokenizer (" + why + ")");
  };
  auto check_byte_level = [&](const nlohmann::json& bl, bool regex_expected) {
    if (!IsNullOr(bl, "add_prefix_space", false)) unsupported("ByteLevel add_prefix_space=true");
    auto ur = bl.find("use_regex");
    const bool use_regex = (ur == bl.end() || ur->is_null()) ? true : (ur->is_boolean() && ur->get<bool>());
    if (ur != bl.end() && !ur->is_null() && !ur->is_boolean()) unsupported("ByteLevel use_regex is not a boolean");
    if (use_regex != regex_expected) {
      unsupported(regex_expected ? "ByteLevel without use_regex" : "ByteLevel use_regex=true after Split");
    }
  };
  if (!pt.is_object()) unsupported("not an object");
  auto type = pt.find("type");
  if (type == pt.end() || !type->is_string()) unsupported("no type");
  if (*type == "ByteLevel") {
    check_byte_level(pt, true);
    return kGpt2Regex;
  }
  if (*type != "Sequence") unsupported("type " + type->get<std::string>());
  auto list = pt.find("pretokenizers");
  if (list == pt.end() || !list->is_array() || list->size() != 2) unsupported("Sequence must be [Split, ByteLevel]");
  const nlohmann::json& split = (*list)[0];
  const nlohmann::json& bl = (*list)[1];
  if (!split.is_object() || split.value("type", nlohmann::json()) != "Split") unsupported("first step is not Split");
  if (!bl.is_object() || bl.value("type", nlohmann::json()) != "ByteLevel") unsupported("second step is not ByteLevel");
  if (split.value("behavior", nlohmann::json()) != "Isolated") unsupported("Split behavior is not Isolated");
  if (!IsNullOr(split, "invert", false)) unsupported("Split invert=true");
  auto pat = split.find("pattern");
  if (pat == split.end() || !pat->is_object()) unsupported("Split has no pattern");
  auto rx = pat->find("Regex");
  if (rx == pat->end() || !rx->is_string()) unsupported("Split pattern is not a Regex");
  check_byte_level(bl, false);
  return rx->get<std::string>();
}

}  // namespace

// ---------------------------------------------------------------- loading

Tokenizer::Tokenizer() : impl_(std::make_unique<Impl>()) {}
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

Tokenizer Tokenizer::FromHuggingFace(const std::string& json_text, const std::string& source) {
  const Ctx c{source, "tokenizer.json"};
  const nlohmann::json root = ParseJson(json_text, source + ": tokenizer.json", ExitCode::kBadModel);
  if (!root.is_object()) Bad(c, "top level is not an object");

  const nlohmann::json& model = Field(c, root, "model", "model");
  if (!model.is_object()) Bad(c, "model is not an object");
  auto type = model.find("type");
  if (type != model.end() && *type != "BPE") {
    Bad(c, "unsupported model.type " + (type->is_string() ? type->get<std::string>() : type->dump()) + " (need BPE)");
  }
  // BPE options that would change the result must be off.
  if (!IsNullOr(model, "dropout", nlohmann::json()) && model["dropout"] != 0.0) Bad(c, "model.dropout is not supported");
  if (!IsNullOr(model, "continuing_subword_prefix", "")) Bad(c, "model.continuing_subword_prefix is not supported");
  if (!IsNullOr(model, "end_of_word_suffix", "")) Bad(c, "model.end_of_word_suffix is not supported");
  if (!IsNullOr(model, "ignore_merges", false)) Bad(c, "model.ignore_merges=true is not supported");
  // unk_token / byte_fallback are never consulted: every byte has a symbol (checked in Build).

  Spec spec;
  const nlohmann::json& vocab = Field(c, model, "vocab", "model.vocab");
  if (!vocab.is_object()) Bad(c, "model.vocab is not an object");
  if (vocab.size() > static_cast<size_t>(kMaxTokens)) Bad(c, "model.vocab has too many entries");
  spec.vocab.assign(vocab.size(), std::string());
  std::vector<uint8_t> seen(vocab.size(), 0);
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it->is_number_integer()) Bad(c, StrFormat("model.vocab[%s] is not an integer id", Quote(it.key()).c_str()));
    const int64_t id = it->get<int64_t>();
    // Ids must be exactly 0..N-1 (our stored form is a list in id order).
    if (id < 0 || id >= static_cast<int64_t>(vocab.size())) {
      Bad(c, StrFormat("model.vocab[%s] = %lld out of range (ids must be 0..%zu)", Quote(it.key()).c_str(),
                       (long long)id, vocab.size() - 1));
    }
    if (seen[id]) Bad(c, StrFormat("model.vocab id %lld appears twice", (long long)id));
    seen[id] = 1;
    spec.vocab[id] = it.key();
  }

  const nlohmann::json& merges = Field(c, model, "merges", "model.merges");
  if (!merges.is_array()) Bad(c, "model.merges is not an array");
  spec.merges.resize(merges.size());
  for (size_t r = 0; r < merges.size(); ++r) {
    const nlohmann::json& m = merges[r];
    if (m.is_string()) {
      if (!SplitMerge(m.get_ref<const std::string&>(), &spec.merges[r])) {
        Bad(c, StrFormat("model.merges[%zu] is not of the form \"a b\"", r));
      }
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      spec.merges[r].first = m[0].get<std::string>();
      spec.merges[r].second = m[1].get<std::string>();
    } else {
      Bad(c, StrFormat("model.merges[%zu] is neither \"a b\" nor [a, b]", r));
    }
  }

  spec.added = ParseAddedTokens(c, Field(c, root, "added_tokens", "added_tokens"), "added_tokens");

  auto norm = root.find("normalizer");
  if (norm == root.end() || norm->is_null()) {
    spec.nfc = false;
  } else if (norm->is_object() && norm->value("type", nlohmann::json()) == "NFC") {
    spec.nfc = true;
  } else {
    Bad(c, "unsupported normalizer (need NFC or null)");
  }

  spec.regex = PreTokenizerRegex(c, Field(c, root, "pre_tokenizer", "pre_tokenizer"));

  auto dec = root.find("decoder");
  if (dec != root.end() && !dec->is_null() &&
      !(dec->is_object() && dec->value("type", nlohmann::json()) == "ByteLevel")) {
    Bad(c, "unsupported decoder (need ByteLevel)");
  }
  // post_processor is not consulted: we never add special tokens implicitly;
  // the prompt plan writes every special token explicitly.

  Tokenizer tok;
  tok.impl_->Build(c, std::move(spec));
  return tok;
}

nlohmann::json Tokenizer::ToJson() const {
  const Impl& t = *impl_;
  nlohmann::json j;
  j["vocab"] = t.vocab;
  nlohmann::json merges = nlohmann::json::array();
  merges.get_ref<nlohmann::json::array_t&>().reserve(t.merge_pairs.size());
  for (const auto& [a, b] : t.merge_pairs) merges.push_back(t.vocab[a] + " " + t.vocab[b]);
  j["merges"] = std::move(merges);
  nlohmann::json added = nlohmann::json::array();
  for (const AddedToken& a : t.added) {
    added.push_back({{"id", a.id}, {"content", a.content}, {"special", a.special}});
  }
  j["added_tokens"] = std::move(added);
  j["pre_tokenizer_regex"] = t.regex;
  j["normalizer"] = t.nfc ? nlohmann::json("NFC") : nlohmann::json();
  return j;
}

Tokenizer Tokenizer::FromJson(const nlohmann::json& j, const std::string& source) {
  const Ctx c{source, "tokenizer metadata"};
  if (!j.is_object()) Bad(c, "not an object");
  Spec spec;
  const nlohmann::json& vocab = Field(c, j, "vocab", "vocab");
  if (!vocab.is_array()) Bad(c, "vocab is not an array");
  if (vocab.size() > static_cast<size_t>(kMaxTokens)) Bad(c, "vocab has too many entries");
  spec.vocab.reserve(vocab.size());
  for (size_t i = 0; i < vocab.size(); ++i) {
    if (!vocab[i].is_string()) Bad(c, StrFormat("vocab[%zu] is not a string", i));
    spec.vocab.push_back(vocab[i].get_ref<const std::string&>());
  }
  const nlohmann::json& merges = Field(c, j, "merges", "merges");
  if (!merges.is_array()) Bad(c, "merges is not an array");
  spec.merges.resize(merges.size());
  for (size_t r = 0; r < merges.size(); ++r) {
    if (!merges[r].is_string() || !SplitMerge(merges[r].get_ref<const std::string&>(), &spec.merges[r])) {
      Bad(c, StrFormat("merges[%zu] is not a string \"a b\"", r));
    }
  }
  spec.added = ParseAddedTokens(c, Field(c, j, "added_tokens", "added_tokens"), "added_tokens");
  spec.regex = StringField(c, j, "pre_tokenizer_regex", "pre_tokenizer_regex");
  const nlohmann::json& norm = Field(c, j, "normalizer", "normalizer");
  if (norm.is_null()) {
    spec.nfc = false;
  } else if (norm == "NFC") {
    spec.nfc = true;
  } else {
    Bad(c, "unsupported normalizer (need \"NFC\" or null)");
  }
  Tokenizer tok;
  tok.impl_->Build(c, std::move(spec));
  return tok;
}

// ---------------------------------------------------------------- encoding

// Merges `piece` (raw bytes, non-empty) by rank. Symbols form a linked list over
// positions; a min-heap holds candidate merges (rank, left position); stale
// candidates (either side changed since they were pushed) are skipped on pop.
// Ties in rank go to the leftmost pair, which is what HF and the classic
// "merge the best bigram everywhere, left to right" loop both produce.
void Tokenizer::Impl::Bpe(std::string_view piece, std::vector<int32_t>* out) const {
  struct Sym {
    int32_t id, prev, next;
  };
  struct Cand {
    int32_t rank, pos, left, right, merged;
  };
  auto later = [](const Cand& x, const Cand& y) {  // min-heap on (rank, pos)
    return x.rank != y.rank ? x.rank > y.rank : x.pos > y.pos;
  };
  const int32_t n = static_cast<int32_t>(piece.size());
  std::vector<Sym> sym(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    sym[i] = Sym{byte_ids[static_cast<unsigned char>(piece[i])], i - 1, i + 1 < n ? i + 1 : -1};
  }
  std::vector<Cand> heap;
  heap.reserve(static_cast<size_t>(n));
  auto push = [&](int32_t pos) {
    const int32_t nx = sym[pos].next;
    if (nx < 0) return;
    auto it = merges.find(PairKey(sym[pos].id, sym[nx].id));
    if (it == merges.end()) return;
    heap.push_back(Cand{it->second.rank, pos, sym[pos].id, sym[nx].id, it->second.merged});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (int32_t i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Cand cand = heap.back();
    heap.pop_back();
    Sym& l = sym[cand.pos];
    if (l.id != cand.left || l.next < 0) continue;  // left side merged away or grown
    Sym& r = sym[l.next];
    if (r.id != cand.right) continue;  // right side grew
    l.id = cand.merged;
    r.id = -1;
    l.next = r.next;
    if (l.next >= 0) sym[l.next].prev = cand.pos;
    if (l.prev >= 0) push(l.prev);
    push(cand.pos);
  }
  for (int32_t i = 0; i >= 0; i = sym[i].next) out->push_back(sym[i].id);
}

void Tokenizer::Impl::EncodePiece(std::string_view piece, std::vector<int32_t>* out) const {
  if (piece.size() == 1) {
    out->push_back(byte_ids[static_cast<unsigned char>(piece[0])]);
    return;
  }
  if (piece.size() > kMaxCachedPieceBytes) {
    Bpe(piece, out);
    return;
  }
  std::string key(piece);
  {
    std::lock_guard<std::mutex> lock(cache_mu);
    auto it = cache.find(key);
    if (it != cache.end()) {
      out->insert(out->end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t start = out->size();
  Bpe(piece, out);
  std::vector<int32_t> ids(out->begin() + static_cast<std::ptrdiff_t>(start), out->end());
  std::lock_guard<std::mutex> lock(cache_mu);
  if (cache.size() >= kMaxCacheEntries) cache.clear();
  cache.emplace(std::move(key), std::move(ids));
}

// One stretch of text between added tokens: NFC, regex split, BPE per piece.
// Pieces are the regex matches and the (in practice empty) gaps between them.
void Tokenizer::Impl::EncodeSegment(std::string_view seg, pcre2_match_data* md, pcre2_match_context*& mctx,
                                    pcre2_jit_stack*& stack, std::vector<int32_t>* out) const {
  if (seg.empty()) return;
  std::string normalized;
  if (nfc && std::any_of(seg.begin(), seg.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; })) {
    utf8proc_uint8_t* dst = nullptr;
    const utf8proc_ssize_t len = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(seg.data()),
                                              static_cast<utf8proc_ssize_t>(seg.size()), &dst,
                                              static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (len < 0) {  // cannot happen on valid UTF-8 except out of memory
      Fail(ExitCode::kInternal, "NFC normalisation failed: %s", utf8proc_errmsg(len));
    }
    normalized.assign(reinterpret_cast<const char*>(dst), static_cast<size_t>(len));
    std::free(dst);
    seg = normalized;
  }
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(seg.data());
  const size_t n = seg.size();
  size_t gap = 0;     // start of text not yet emitted
  size_t search = 0;  // where the next match attempt starts
  while (search < n) {
    int rc = jit ? pcre2_jit_match(re, subject, n, search, 0, md, mctx)
                 : pcre2_match(re, subject, n, search, PCRE2_NO_UTF_CHECK, md, mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !stack) {
      // A very long run (e.g. 100k letters) can outgrow the default 32 KB JIT stack.
      stack = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, nullptr);
      if (!mctx) mctx = pcre2_match_context_create(nullptr);
      if (!stack || !mctx) Fail(ExitCode::kInternal, "out of memory for the tokenizer regex");
      pcre2_jit_stack_assign(mctx, nullptr, stack);
      continue;
    }
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(rc, buf, sizeof(buf));
      Fail(ExitCode::kBadInput, "text could not be pre-tokenized: %s", reinterpret_cast<char*>(buf));
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    const size_t ms = ov[0], me = ov[1];
    if (me == ms) {  // empty match: not a piece; step over one character
      const utf8::Seq q = utf8::DecodeOne(subject + ms, n - ms);
      search = ms + static_cast<size_t>(q.len);
      continue;
    }
    if (ms > gap) EncodePiece(seg.substr(gap, ms - gap), out);
    EncodePiece(seg.substr(ms, me - ms), out);
    gap = search = me;
  }
  if (gap < n) EncodePiece(seg.substr(gap), out);
}

std::vector<int32_t> Tokenizer::Encode(std::string_view text, bool parse_special) const {
  if (!impl_ || !impl_->re) Fail(ExitCode::kInternal, "Tokenizer::Encode on an empty tokenizer");
  const Impl& t = *impl_;
  std::string clean;
  if (!utf8::IsValid(text)) {  // documented choice: replace, never fail
    utf8::AppendSanitized(text, &clean);
    text = clean;
  }
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
      pcre2_match_data_create_from_pattern(t.re, nullptr), &pcre2_match_data_free);
  if (!md) Fail(ExitCode::kInternal, "out of memory for the tokenizer regex");
  pcre2_match_context* mctx = nullptr;
  pcre2_jit_stack* stack = nullptr;
  struct Cleanup {
    pcre2_match_context*& m;
    pcre2_jit_stack*& s;
    ~Cleanup() {
      if (m) pcre2_match_context_free(m);
      if (s) pcre2_jit_stack_free(s);
    }
  } cleanup{mctx, stack};

  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 8);
  size_t seg_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto& cands = t.added_by_first[static_cast<unsigned char>(text[i])];
    if (cands.empty()) continue;
    const AddedToken* hit = nullptr;
    for (int32_t k : cands) {  // longest first: the first fit is the longest at i
      const AddedToken& a = t.added[k];
      if ((a.special && !parse_special) || a.content.size() > text.size() - i) continue;
      if (std::memcmp(text.data() + i, a.content.data(), a.content.size()) == 0) {
        hit = &a;
        break;
      }
    }
    if (!hit) continue;
    t.EncodeSegment(text.substr(seg_start, i - seg_start), md.get(), mctx, stack, &out);
    out.push_back(hit->id);
    i += hit->content.size() - 1;
    seg_start = i + 1;
  }
  t.EncodeSegment(text.substr(seg_start), md.get(), mctx, stack, &out);
  return out;
}

// ---------------------------------------------------------------- decoding

namespace {
[[noreturn]] void BadId(int64_t id, size_t size) {
  Fail(ExitCode::kBadInput, "token id %lld out of range (vocabulary has %zu ids)", (long long)id, size);
}
}  // namespace

std::string Tokenizer::DecodeBytes(const std::vector<int32_t>& ids) const {
  const std::vector<std::string>& bytes = impl_->bytes;
  std::string out;
  for (int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= bytes.size()) BadId(id, bytes.size());
    out += bytes[id];
  }
  return out;
}

std::string Tokenizer::Decode(const std::vector<int32_t>& ids) const { return SanitizeUtf8(DecodeBytes(ids)); }

const std::string& Tokenizer::Piece(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl_->pieces.size()) BadId(id, impl_->pieces.size());
  return impl_->pieces[id];
}

const std::string& Tokenizer::TokenBytes(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl_->bytes.size()) BadId(id, impl_->bytes.size());
  return impl_->bytes[id];
}

int32_t Tokenizer::TokenId(std::string_view content) const {
  const std::string key(content);
  auto a = impl_->added_to_id.find(key);
  if (a != impl_->added_to_id.end()) return a->second;
  auto v = impl_->piece_to_id.find(key);
  return v != impl_->piece_to_id.end() ? v->second : -1;
}

bool Tokenizer::IsSpecial(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < impl_->special.size() && impl_->special[id] != 0;
}

int32_t Tokenizer::size() const { return static_cast<int32_t>(impl_->pieces.size()); }

const std::vector<AddedToken>& Tokenizer::added_tokens() const { return impl_->added; }

// ---------------------------------------------------------------- UTF-8 output

std::string Utf8Stream::Push(std::string_view bytes) {
  pending_.append(bytes.data(), bytes.size());
  const size_t settled = utf8::SettledPrefix(pending_);
  std::string out;
  utf8::AppendSanitized(std::string_view(pending_).substr(0, settled), &out);
  pending_.erase(0, settled);
  return out;
}

std::string Utf8Stream::Flush() {
  std::string out;
  utf8::AppendSanitized(pending_, &out);
  pending_.clear();
  return out;
}

std::string SanitizeUtf8(std::string_view bytes) {
  std::string out;
  utf8::AppendSanitized(bytes, &out);
  return out;
}

}  // namespace ecgr1
