// Tokenizer tests: the golden cases (ids and pieces from @huggingface/tokenizers),
// the spec's spot checks and prompt vectors, streaming UTF-8, the compact
// round trip, malformed tokenizer.json files and long inputs.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/error.h"
#include "text/tokenizer.h"

namespace ecgr1 {
namespace {

std::string DataDir() {
  const char* env = std::getenv("ECGR1_TEST_DATA");
  return env ? env : ECGR1_TEST_DATA;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const std::string& TokenizerPath() {
  static const std::string p = DataDir() + "/golden_a/model/tokenizer.json";
  return p;
}

// Loaded once per test binary: the file is 6 MB.
const Tokenizer& Tok() {
  static const Tokenizer tok = Tokenizer::FromHuggingFace(ReadFile(TokenizerPath()), TokenizerPath());
  return tok;
}

const nlohmann::json& Cases() {
  static const nlohmann::json j = nlohmann::json::parse(ReadFile(DataDir() + "/golden_a/tokenizer_cases.json"));
  return j;
}

std::vector<int32_t> Ids(std::initializer_list<int32_t> l) { return std::vector<int32_t>(l); }

bool HasSpecial(const Tokenizer& t, const std::vector<int32_t>& ids) {
  for (int32_t id : ids) {
    if (t.IsSpecial(id)) return true;
  }
  return false;
}

// The ChatML prompt of preprocessing.md §2 with one image/ECG placeholder each.
std::string Prompt(const std::string& user_prefix) {
  return "<|im_start|>system\nYou are a helpful, harmless clinical ECG assistant. Provide concise, "
         "evidence-based interpretations.<|im_end|>\n<|im_start|>user\n" +
         user_prefix +
         "Interpret the provided ECG image, identify key features and abnormalities in each lead, and "
         "generate a clinical diagnosis that is supported by the observed evidence.<|im_end|>\n"
         "<|im_start|>assistant\n";
}

}  // namespace

TEST_CASE("tokenizer loads the Qwen3 tokenizer.json", "[tokenizer]") {
  const Tokenizer& t = Tok();
  CHECK(t.size() == 151672);
  CHECK(t.added_tokens().size() == 29);
  CHECK(t.TokenId("<|im_end|>") == 151645);
  CHECK(t.TokenId("<|ecg_pad|>") == 151669);
  CHECK(t.TokenId("<think>") == 151667);
  CHECK(t.TokenId("Ġworld") == 1879);
  CHECK(t.TokenId("no such piece") == -1);
  CHECK(t.IsSpecial(151645));
  CHECK(t.IsSpecial(151671));
  CHECK_FALSE(t.IsSpecial(151667));  // <think> is added but not special
  CHECK_FALSE(t.IsSpecial(1879));
  CHECK_FALSE(t.IsSpecial(-1));
  CHECK_FALSE(t.IsSpecial(1 << 30));
  CHECK(t.Piece(1879) == "Ġworld");
  CHECK(t.TokenBytes(1879) == " world");
  CHECK(t.Piece(151645) == "<|im_end|>");
  CHECK(t.TokenBytes(151645) == "<|im_end|>");
  CHECK(t.TokenBytes(198) == "\n");
}

TEST_CASE("tokenizer reproduces every golden case (ids and pieces)", "[tokenizer]") {
  const Tokenizer& t = Tok();
  const nlohmann::json& cases = Cases()["cases"];
  REQUIRE(cases.size() == 41);
  int with_special = 0;
  for (const auto& c : cases) {
    const std::string text = c["text"];
    const std::vector<int32_t> want = c["ids"];
    const std::vector<std::string> pieces = c["tokens"];
    INFO("text: " << text);
    const std::vector<int32_t> got = t.Encode(text, /*parse_special=*/true);
    REQUIRE(got == want);
    REQUIRE(pieces.size() == got.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(t.Piece(got[i]) == pieces[i]);
    if (HasSpecial(t, got)) {
      ++with_special;
      // Without parse_special the same text must come back as plain text: no
      // special ids, and decoding gives the text again.
      const std::vector<int32_t> plain = t.Encode(text, /*parse_special=*/false);
      CHECK_FALSE(HasSpecial(t, plain));
      CHECK(t.Decode(plain) == text);
      CHECK(plain.size() > got.size());
    } else {
      // Nothing special to parse: the flag makes no difference.
      CHECK(t.Encode(text, false) == got);
    }
  }
  // "<|im_start|>user\nhi<|im_end|>", the vision and ECG triplets, "<|ecg_pad|><|ecg_pad|>x<|endoftext|>".
  CHECK(with_special == 4);
}

TEST_CASE("tokenizer decode checks", "[tokenizer]") {
  const Tokenizer& t = Tok();
  const nlohmann::json& checks = Cases()["decode_checks"];
  REQUIRE(checks.size() == 12);
  for (const auto& c : checks) {
    const std::vector<int32_t> ids = c["ids"];
    const std::string want = c["text"];
    INFO("text: " << want);
    CHECK(t.Decode(ids) == want);
  }
  // Every golden case decodes to its text (the combining-accent case comes back NFC).
  for (const auto& c : Cases()["cases"]) {
    const std::string text = c["text"];
    const std::vector<int32_t> ids = c["ids"];
    if (text.rfind("e\xCC\x81", 0) == 0) {
      CHECK(t.Decode(ids) == "\xC3\xA9" + text.substr(3));
    } else {
      CHECK(t.Decode(ids) == text);
    }
  }
}

TEST_CASE("tokenizer special tokens as plain text when parse_special=false", "[tokenizer]") {
  const Tokenizer& t = Tok();
  // User text cannot inject a turn end.
  const std::vector<int32_t> plain = t.Encode("<|im_end|>", false);
  CHECK(plain == Ids({27, 91, 318, 6213, 91, 29}));  // "<", "|", "im", "_end", "|", ">"
  CHECK(t.Encode("<|im_end|>", true) == Ids({151645}));
  // Non-special added tokens are always recognised, as in HF.
  CHECK(t.Encode("<think>", false) == Ids({151667}));
  CHECK(t.Encode("</think>", false) == Ids({151668}));
  CHECK(t.Encode("<|ecg_pad|>", false) != Ids({151669}));
  // Leftmost-longest: a token inside a longer string is matched where it starts.
  CHECK(t.Encode("a<|im_end|><|im_end|>b", true) == Ids({64, 151645, 151645, 65}));
}

TEST_CASE("tokenizer spot checks from preprocessing.md", "[tokenizer]") {
  const Tokenizer& t = Tok();
  CHECK(t.Encode("QTc 452 ms", true) == Ids({43678, 66, 220, 19, 20, 17, 9829}));
  CHECK(t.Encode("V1\xE2\x80\x93V4", true) == Ids({53, 16, 4142, 53, 19}));
  CHECK(t.Encode("\nInterpret", true) == Ids({198, 3306, 8043}));
  CHECK(t.Encode(" Interpret", true) == Ids({72077}));
  CHECK(t.Encode("<think>\n**Step 1: Technical, Rate & Rhythm**\n", true) ==
        Ids({151667, 198, 334, 8304, 220, 16, 25, 26668, 11, 19775, 609, 431, 60154, 1019}));
  CHECK(t.Encode("<answer>Sinus", true) == Ids({27, 9217, 25837, 70856}));
  CHECK(t.Encode("</answer>", true) == Ids({522, 9217, 29}));
}

TEST_CASE("tokenizer prompt vectors of preprocessing.md 2.4", "[tokenizer]") {
  const Tokenizer& t = Tok();
  const std::vector<int32_t> image_only = {
      151644, 8948,  198,   2610,  525,   264,   10950, 11,    52897, 14490, 468,   8798,  17847,
      13,     39565, 63594, 11,    5904,  5980,  57589, 13,    151645, 198,  151644, 872,   198,
      151652, 151655, 151653, 198, 3306,  8043,  279,   3897,  468,   8798,  2168,  11,    10542,
      1376,   4419,  323,   74715, 304,   1817,  2990,  11,    323,   6923,  264,   14490, 22982,
      429,    374,   7248,  553,   279,   13166, 5904,  13,    151645, 198,  151644, 77091, 198};
  REQUIRE(image_only.size() == 65);
  CHECK(t.Encode(Prompt("<|vision_start|><|image_pad|><|vision_end|>\n"), true) == image_only);

  // Signal + image: 151670 151669 151671 inserted after "151644 872 198".
  std::vector<int32_t> both = image_only;
  both.insert(both.begin() + 26, {151670, 151669, 151671});
  CHECK(t.Encode(Prompt("<|ecg_start|><|ecg_pad|><|ecg_end|><|vision_start|><|image_pad|><|vision_end|>\n"), true) ==
        both);
  CHECK(both.size() == 68);

  // Signal only, one-space form: "... 198 151670 151669 151671 72077 279 ...".
  std::vector<int32_t> signal(image_only.begin(), image_only.begin() + 26);
  signal.insert(signal.end(), {151670, 151669, 151671, 72077});
  signal.insert(signal.end(), image_only.begin() + 32, image_only.end());
  CHECK(signal.size() == 63);
  const std::string p = Prompt("<|ecg_start|><|ecg_pad|><|ecg_end|> ");
  CHECK(t.Encode(p, true) == signal);
}

TEST_CASE("tokenizer streams UTF-8 without splitting characters", "[tokenizer]") {
  const Tokenizer& t = Tok();
  const std::string text = "ST\xE2\x86\x91 2 mm \xF0\x9F\x98\x80 \xE5\xBF\x83\xE7\x94\xB5\xE5\x9B\xBE";
  const std::vector<int32_t> ids = t.Encode(text, true);
  Utf8Stream stream;
  std::string out;
  bool saw_partial_token = false;
  for (int32_t id : ids) {
    const std::string& b = t.TokenBytes(id);
    if (SanitizeUtf8(b) != b) saw_partial_token = true;  // this token ends inside a character
    const std::string chunk = stream.Push(b);
    CHECK(SanitizeUtf8(chunk) == chunk);  // every emitted chunk is complete UTF-8
    CHECK(chunk.find("\xEF\xBF\xBD") == std::string::npos);
    out += chunk;
  }
  out += stream.Flush();
  CHECK(saw_partial_token);  // the test really exercises a split character
  CHECK(out == text);

  // Byte by byte.
  Utf8Stream s2;
  std::string out2;
  for (char ch : text) {
    const std::string chunk = s2.Push(std::string_view(&ch, 1));
    CHECK(SanitizeUtf8(chunk) == chunk);
    out2 += chunk;
  }
  CHECK(s2.Flush().empty());
  CHECK(out2 == text);

  // Invalid and incomplete input.
  Utf8Stream s3;
  CHECK(s3.Push("a\xE2\x86") == "a");
  CHECK(s3.Push("x") == "\xEF\xBF\xBDx");  // the broken sequence is one U+FFFD
  CHECK(s3.Push("\xFF") == "\xEF\xBF\xBD");
  CHECK(s3.Push("\xF0\x9F") == "");
  CHECK(s3.Flush() == "\xEF\xBF\xBD");
  CHECK(s3.Flush().empty());
}

TEST_CASE("SanitizeUtf8 replaces like Python errors=replace", "[tokenizer]") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(SanitizeUtf8("plain ascii") == "plain ascii");
  CHECK(SanitizeUtf8("\xE2\x86x") == r + "x");
  CHECK(SanitizeUtf8("\xED\xA0\x80") == r + r + r);  // surrogate
  CHECK(SanitizeUtf8("\xF0\x9F\x98") == r);          // truncated at the end
  CHECK(SanitizeUtf8("\xC0\xAF") == r + r);          // overlong
  CHECK(SanitizeUtf8("\xF4\x90\x80\x80") == r + r + r + r);  // above U+10FFFF
  CHECK(SanitizeUtf8("a\x80" "b") == "a" + r + "b");
  CHECK(SanitizeUtf8("\xE0\x80\xAF") == r + r + r);
  CHECK(SanitizeUtf8("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");
  CHECK(SanitizeUtf8(std::string("\0x", 2)) == std::string("\0x", 2));
}

TEST_CASE("tokenizer decode errors and raw bytes", "[tokenizer]") {
  const Tokenizer& t = Tok();
  try {
    t.DecodeBytes({9707, 151672});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK(std::string(e.what()).find("token id 151672 out of range") != std::string::npos);
  }
  CHECK_THROWS_AS(t.DecodeBytes({-1}), Error);
  CHECK_THROWS_AS(t.Piece(-5), Error);
  CHECK_THROWS_AS(t.TokenBytes(1 << 30), Error);
  // A token holding half a character: raw bytes vs replaced text.
  const std::vector<int32_t> ids = t.Encode("\xF0\x9F\xAB\x80", true);  // U+1FAC0 anatomical heart
  REQUIRE(ids.size() > 1);
  CHECK(t.DecodeBytes(ids) == "\xF0\x9F\xAB\x80");
  CHECK(t.Decode({ids[0]}) == "\xEF\xBF\xBD");
}

TEST_CASE("tokenizer never crashes on invalid UTF-8 input", "[tokenizer]") {
  const Tokenizer& t = Tok();
  const std::string bad = "\xFF\xFEST\xE2\x86 elevation\xC0";
  const std::vector<int32_t> ids = t.Encode(bad, true);
  // Documented choice: invalid bytes become U+FFFD before tokenizing.
  CHECK(t.Decode(ids) == SanitizeUtf8(bad));
  CHECK(t.Encode(bad, true) == t.Encode(SanitizeUtf8(bad), true));
  CHECK(t.Encode(std::string("a\0b", 3), true).size() == 3);
}

TEST_CASE("tokenizer compact JSON round trip", "[tokenizer]") {
  const Tokenizer& t = Tok();
  const nlohmann::json j = t.ToJson();
  CHECK(j["vocab"].size() == 151643);
  CHECK(j["merges"].size() == 151387);
  CHECK(j["added_tokens"].size() == 29);
  CHECK(j["normalizer"] == "NFC");
  // Through text, as it is stored in the model file.
  const nlohmann::json back_json = nlohmann::json::parse(j.dump());
  const Tokenizer u = Tokenizer::FromJson(back_json, "model.ecgr1");
  CHECK(u.size() == t.size());
  CHECK(u.ToJson() == j);
  for (const auto& c : Cases()["cases"]) {
    const std::string text = c["text"];
    CHECK(u.Encode(text, true) == t.Encode(text, true));
    CHECK(u.Encode(text, false) == t.Encode(text, false));
  }
  for (int32_t id : {0, 1879, 151642, 151643, 151667, 151671}) {
    CHECK(u.Piece(id) == t.Piece(id));
    CHECK(u.TokenBytes(id) == t.TokenBytes(id));
    CHECK(u.IsSpecial(id) == t.IsSpecial(id));
  }

  // FromJson is as strict as FromHuggingFace.
  auto expect_bad = [](const nlohmann::json& bad, const char* needle) {
    try {
      Tokenizer::FromJson(bad, "model.ecgr1");
      FAIL("no error for " << needle);
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(e.code() == ExitCode::kBadModel);
      CHECK(std::string(e.what()).find("model.ecgr1") == 0);
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  nlohmann::json b = j;
  b.erase("vocab");
  expect_bad(b, "missing vocab");
  b = j;
  b["merges"][5] = "nospace";
  expect_bad(b, "merges[5]");
  b = j;
  b["vocab"][7] = b["vocab"][8];
  expect_bad(b, "appears twice");
  b = j;
  b["added_tokens"][0]["id"] = -3;
  expect_bad(b, "out of range");
  b = j;
  b["normalizer"] = "NFKC";
  expect_bad(b, "unsupported normalizer");
  b = j;
  b["pre_tokenizer_regex"] = "(unclosed";
  expect_bad(b, "does not compile");
  expect_bad(nlohmann::json::array(), "not an object");
}

namespace {

// A minimal byte-level tokenizer.json: the 256 byte symbols, "ab", and one merge.
nlohmann::json MiniHf() {
  nlohmann::json vocab = nlohmann::json::object();
  // GPT-2 byte table, written out independently of the implementation.
  int next = 256, id = 0;
  for (int b = 0; b < 256; ++b) {
    const bool self = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    const int cp = self ? b : next++;
    std::string s;
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    vocab[s] = id++;
  }
  vocab["ab"] = id++;
  vocab["abab"] = id++;
  nlohmann::json j = {
      {"version", "1.0"},
      {"added_tokens",
       {{{"id", id}, {"content", "<|end|>"}, {"special", true}},
        {{"id", id + 1}, {"content", "<x>"}, {"special", false}}}},
      {"normalizer", {{"type", "NFC"}}},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"}, {"pattern", {{"Regex", R"(\p{L}+|\s+|.)"}}}, {"behavior", "Isolated"}, {"invert", false}},
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}}},
      {"decoder", {{"type", "ByteLevel"}}},
      {"model",
       {{"type", "BPE"}, {"dropout", nullptr}, {"vocab", vocab}, {"merges", {{"a", "b"}, "ab ab"}}}},
  };
  return j;
}

void ExpectBadHf(const std::string& text, const char* needle) {
  try {
    Tokenizer::FromHuggingFace(text, "/models/x/tokenizer.json");
    FAIL("no error for " << needle);
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(e.code() == ExitCode::kBadModel);
    CHECK(std::string(e.what()).find("/models/x/tokenizer.json: tokenizer.json: ") == 0);
    CHECK(std::string(e.what()).find(needle) != std::string::npos);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
  }
}

}  // namespace

TEST_CASE("tokenizer minimal tokenizer.json works", "[tokenizer]") {
  const Tokenizer t = Tokenizer::FromHuggingFace(MiniHf().dump(), "mini.json");
  CHECK(t.size() == 260);
  CHECK(t.Encode("abab ab<|end|><x>", true) == Ids({257, 32, 256, 258, 259}));
  CHECK(t.Encode("ababab", true) == Ids({257, 256}));
  CHECK(t.Encode("<|end|>", false).size() == 7);
  // ByteLevel with its own regex (GPT-2) is accepted too.
  nlohmann::json j = MiniHf();
  j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
  const Tokenizer g = Tokenizer::FromHuggingFace(j.dump(), "mini.json");
  CHECK(g.Encode("abab ab", true) == Ids({257, 32, 256}));
}

TEST_CASE("tokenizer rejects malformed tokenizer.json", "[tokenizer]") {
  ExpectBadHf("{not json", "invalid JSON");
  ExpectBadHf("[1,2]", "top level is not an object");
  nlohmann::json j = MiniHf();
  j.erase("model");
  ExpectBadHf(j.dump(), "missing model");
  j = MiniHf();
  j["model"]["vocab"] = nlohmann::json::array({"a", "b"});
  ExpectBadHf(j.dump(), "model.vocab is not an object");
  j = MiniHf();
  j["model"].erase("vocab");
  ExpectBadHf(j.dump(), "missing model.vocab");
  j = MiniHf();
  j["model"].erase("merges");
  ExpectBadHf(j.dump(), "missing model.merges");
  j = MiniHf();
  j["model"]["type"] = "WordPiece";
  ExpectBadHf(j.dump(), "unsupported model.type");
  j = MiniHf();
  j["model"]["merges"].push_back({"a", "zz"});
  ExpectBadHf(j.dump(), "references unknown piece 'zz'");
  j = MiniHf();
  j["model"]["merges"].push_back("b a");  // "ba" is not in the vocab
  ExpectBadHf(j.dump(), "not in the vocab");
  j = MiniHf();
  j["model"]["merges"].push_back(7);
  ExpectBadHf(j.dump(), "model.merges[2]");
  j = MiniHf();
  j["model"]["vocab"]["ab"] = 3;  // same id as another piece
  ExpectBadHf(j.dump(), "appears twice");
  j = MiniHf();
  j["model"]["vocab"]["ab"] = 1 << 30;
  ExpectBadHf(j.dump(), "out of range");
  j = MiniHf();
  j["model"]["vocab"]["ab"] = "x";
  ExpectBadHf(j.dump(), "not an integer id");
  j = MiniHf();
  j["model"]["vocab"].erase("a");  // a byte symbol missing (and ids no longer dense)
  ExpectBadHf(j.dump(), "model.vocab");
  j = MiniHf();
  j["added_tokens"][0]["id"] = 1 << 30;
  ExpectBadHf(j.dump(), "out of range");
  j = MiniHf();
  j["added_tokens"][0]["id"] = -1;
  ExpectBadHf(j.dump(), "out of range");
  j = MiniHf();
  j["added_tokens"][1]["id"] = j["added_tokens"][0]["id"];
  ExpectBadHf(j.dump(), "appears twice");
  j = MiniHf();
  j["added_tokens"][1]["content"] = "<|end|>";
  ExpectBadHf(j.dump(), "appears twice");
  j = MiniHf();
  j["added_tokens"][0].erase("special");
  ExpectBadHf(j.dump(), "missing added_tokens[0].special");
  j = MiniHf();
  j["added_tokens"][0]["lstrip"] = true;
  ExpectBadHf(j.dump(), "lstrip");
  j = MiniHf();
  j.erase("added_tokens");
  ExpectBadHf(j.dump(), "missing added_tokens");
  j = MiniHf();
  j["normalizer"] = {{"type", "NFKC"}};
  ExpectBadHf(j.dump(), "unsupported normalizer");
  j = MiniHf();
  j["pre_tokenizer"] = {{"type", "Whitespace"}};
  ExpectBadHf(j.dump(), "unsupported pre-tokenizer");
  j = MiniHf();
  j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Removed";
  ExpectBadHf(j.dump(), "unsupported pre-tokenizer");
  j = MiniHf();
  j["pre_tokenizer"]["pretokenizers"][1]["use_regex"] = true;
  ExpectBadHf(j.dump(), "unsupported pre-tokenizer");
  j = MiniHf();
  j["pre_tokenizer"]["pretokenizers"][0]["pattern"] = {{"Regex", "[unclosed"}};
  ExpectBadHf(j.dump(), "does not compile");
  j = MiniHf();
  j["decoder"] = {{"type", "WordPiece"}};
  ExpectBadHf(j.dump(), "unsupported decoder");
}

TEST_CASE("tokenizer handles long inputs in near-linear time", "[tokenizer]") {
  const Tokenizer& t = Tok();
  // One 200k-letter regex piece: BPE must not be quadratic.
  std::string letters;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245u + 12345u;
    letters.push_back(static_cast<char>('a' + (x >> 16) % 26));
  }
  std::vector<int32_t> ids = t.Encode(letters, true);
  CHECK(t.DecodeBytes(ids) == letters);
  CHECK(ids.size() < letters.size());
  // Runs of one character, whitespace, digits, punctuation and a long multi-byte run.
  for (const std::string& s : {std::string(200000, 'a'), std::string(200000, ' '), std::string(200000, '7'),
                               std::string(100000, '-'), std::string(100000, '\n')}) {
    ids = t.Encode(s, true);
    CHECK(t.DecodeBytes(ids) == s);
  }
  std::string cjk;
  for (int i = 0; i < 50000; ++i) cjk += "\xE5\xBF\x83";
  CHECK(t.DecodeBytes(t.Encode(cjk, true)) == cjk);
}

TEST_CASE("tokenizer is safe to use from several threads", "[tokenizer]") {
  const Tokenizer& t = Tok();
  const nlohmann::json& cases = Cases()["cases"];
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int rep = 0; rep < 20; ++rep) {
        for (const auto& c : cases) {
          if (t.Encode(c["text"].get<std::string>(), true) != c["ids"].get<std::vector<int32_t>>()) ++failures[k];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) CHECK(f == 0);
}

// Not run by default: compares against ids computed by an independent
// reference (a Python BPE) for texts in the file named by ECGR1_TOKENIZER_XCHECK,
// a JSON list of {"text", "ids"}.
TEST_CASE("tokenizer cross-check against an external reference", "[.tokxcheck]") {
  const char* path = std::getenv("ECGR1_TOKENIZER_XCHECK");
  if (!path) return;
  const nlohmann::json cases = nlohmann::json::parse(ReadFile(path));
  const Tokenizer& t = Tok();
  int bad = 0;
  for (const auto& c : cases) {
    const std::string text = c["text"];
    const std::vector<int32_t> want = c["ids"];
    if (t.Encode(text, true) != want) {
      if (++bad <= 10) {
        nlohmann::json got = t.Encode(text, true);
        WARN("mismatch: " << nlohmann::json(text).dump() << " want " << c["ids"].dump() << " got " << got.dump());
      }
    }
  }
  CHECK(bad == 0);
  WARN(cases.size() << " texts, " << bad << " mismatches");
}

// Not run by default: ./ecgr1_tests "[.tokbench]"
TEST_CASE("tokenizer speed", "[.tokbench]") {
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  const Tokenizer& t = Tok();
  auto t1 = Clock::now();
  const nlohmann::json j = t.ToJson();
  auto t2 = Clock::now();
  const std::string stored = j.dump();
  auto t2a = Clock::now();
  const nlohmann::json parsed = nlohmann::json::parse(stored);
  auto t2b = Clock::now();
  const Tokenizer u = Tokenizer::FromJson(parsed, "bench");
  auto t3 = Clock::now();
  std::string text;
  const char* para =
      "Sinus rhythm at 72 bpm with first-degree AV block (PR 224 ms). QRS 96 ms, QT/QTc 380/452 ms. "
      "ST elevation of 2 mm in V2\xE2\x80\x93V4 with reciprocal ST depression \xE2\x89\xA4 -0.5 mV in II, III, aVF; "
      "findings consistent with acute anterior myocardial infarction. Compare with prior ECG.\n";
  while (text.size() < 1000000) text += para;
  auto t4 = Clock::now();
  const std::vector<int32_t> ids = u.Encode(text, true);
  auto t5 = Clock::now();
  std::string letters(200000, 'x');
  for (size_t i = 0; i < letters.size(); ++i) letters[i] = static_cast<char>('a' + (i * 7919 % 26));
  auto t6 = Clock::now();
  const size_t nl = u.Encode(letters, true).size();
  auto t7 = Clock::now();
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  WARN("FromHuggingFace " << ms(t0, t1) << " ms (first call), ToJson " << ms(t1, t2) << " ms, compact text " << stored.size()
                          << " bytes parsed in " << ms(t2a, t2b) << " ms, FromJson " << ms(t2b, t3) << " ms; encode " << text.size() << " bytes -> " << ids.size()
                          << " tokens in " << ms(t4, t5) << " ms = " << ids.size() / (ms(t4, t5) / 1000.0)
                          << " tokens/s; 200k letters -> " << nl << " tokens in " << ms(t6, t7) << " ms");
}

}  // namespace ecgr1
