#include "engine/drafter.h"

#include <algorithm>
#include <cstring>

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/mapped_file.h"
#include "text/tokenizer.h"

#include <nlohmann/json.hpp>

namespace ecgr1 {
namespace {

constexpr char kMagic[8] = {'E', 'C', 'G', 'R', '1', 'D', 'S', '1'};

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 29);
}

}  // namespace

void TokenStore::Push(int32_t id) {
  // The n-grams ending at the current last token are now followed by `id`.
  const size_t at = tokens_.size();
  uint64_t h = 0;
  for (size_t n = 1; n <= kMaxNgram && n <= at; ++n) {
    const int32_t t = tokens_[at - n];
    if (t == kEnd) break;
    h = Mix(h, static_cast<uint32_t>(t));
    next_[Mix(h, n)] = static_cast<uint32_t>(at);
  }
  tokens_.push_back(id);
}

void TokenStore::EndDocument() {
  if (tokens_.empty() || tokens_.back() == kEnd) return;
  tokens_.push_back(kEnd);
  ++documents_;
}

void TokenStore::AddDocument(const std::vector<int32_t>& ids) {
  for (int32_t id : ids) Push(id);
  EndDocument();
}

size_t TokenStore::Match(const std::vector<int32_t>& context, size_t k, std::vector<int32_t>* draft) const {
  draft->clear();
  const size_t m = context.size();
  // Hashes of the last n tokens, n = 1 .. kMaxNgram, longest tried first.
  uint64_t hashes[kMaxNgram + 1] = {};
  size_t longest = 0;
  uint64_t h = 0;
  for (size_t n = 1; n <= kMaxNgram && n <= m; ++n) {
    h = Mix(h, static_cast<uint32_t>(context[m - n]));
    hashes[n] = Mix(h, n);
    longest = n;
  }
  for (size_t n = longest; n >= 1; --n) {
    auto it = next_.find(hashes[n]);
    if (it == next_.end()) continue;
    const size_t at = it->second;
    // A hash collision must not draft (harmless, but wasted): compare.
    if (at < n || !std::equal(context.end() - static_cast<std::ptrdiff_t>(n), context.end(),
                              tokens_.begin() + static_cast<std::ptrdiff_t>(at - n)))
      continue;
    for (size_t i = at; i < tokens_.size() && draft->size() < k && tokens_[i] != kEnd; ++i)
      draft->push_back(tokens_[i]);
    if (!draft->empty()) return n;
  }
  return 0;
}

void TokenStore::Save(const std::string& path) const {
  AtomicOutputFile out(path);
  out.Write(kMagic, sizeof kMagic);
  const uint64_t count = tokens_.size();
  out.Write(&count, sizeof count);
  out.Write(tokens_.data(), tokens_.size() * sizeof(int32_t));
  out.Commit();
}

TokenStore TokenStore::Load(const std::string& path, int32_t vocab) {
  const std::string bytes = ReadSmallFile(path, ExitCode::kBadInput, size_t{1} << 30);
  if (bytes.size() < 16 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    Fail(ExitCode::kBadInput, "%s: not an ecgr1 draft store (bad magic)", path.c_str());
  uint64_t count = 0;
  std::memcpy(&count, bytes.data() + 8, sizeof count);
  if (count != (bytes.size() - 16) / sizeof(int32_t) || (bytes.size() - 16) % sizeof(int32_t) != 0)
    Fail(ExitCode::kBadInput, "%s: draft store says %llu tokens but holds %zu bytes of them", path.c_str(),
         static_cast<unsigned long long>(count), bytes.size() - 16);
  TokenStore s;
  s.tokens_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    int32_t id;
    std::memcpy(&id, bytes.data() + 16 + i * sizeof(int32_t), sizeof id);
    if (id == kEnd) {
      s.EndDocument();
      continue;
    }
    if (id < 0 || id >= vocab)
      Fail(ExitCode::kBadInput, "%s: draft store token %d at %llu is outside the model's vocabulary (%d)", path.c_str(),
           id, static_cast<unsigned long long>(i), vocab);
    s.Push(id);
  }
  s.EndDocument();
  return s;
}

std::vector<std::string> ReadOutputTexts(const std::string& path) {
  const std::string text = ReadSmallFile(path, ExitCode::kBadInput, size_t{1} << 30);
  std::vector<std::string> out;
  const size_t first = text.find_first_not_of(" \t\r\n");
  const bool jsonl = first != std::string::npos && text[first] == '{' &&
                     (path.size() >= 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0);
  if (!jsonl) {
    if (first != std::string::npos) out.push_back(text);
    return out;
  }
  size_t line_no = 0;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      Fail(ExitCode::kBadInput, "%s:%zu: not a JSON object", path.c_str(), line_no);
    const char* key = nullptr;
    for (const char* k : {"text", "response", "output"})
      if (j.contains(k) && j[k].is_string()) {
        key = k;
        break;
      }
    if (key == nullptr)
      Fail(ExitCode::kBadInput, "%s:%zu: no \"text\", \"response\" or \"output\" string", path.c_str(), line_no);
    out.push_back(j[key].get<std::string>());
  }
  return out;
}

size_t AddCorpus(TokenStore& store, const Tokenizer& tok, const std::string& path) {
  const std::vector<std::string> texts = ReadOutputTexts(path);
  for (const std::string& t : texts) store.AddDocument(tok.Encode(t, false));
  return texts.size();
}

Drafter::Drafter(const TokenStore* shared, size_t max_k) : shared_(shared), max_k_(std::max<size_t>(1, max_k)), k_(max_k_) {}

void Drafter::Observe(int32_t id) { own_.Push(id); }

const std::vector<int32_t>& Drafter::Propose() {
  const std::vector<int32_t>& ctx = own_.tokens();
  const size_t n_own = own_.Match(ctx, k_, &draft_);
  if (shared_ != nullptr && n_own < TokenStore::kMaxNgram) {
    // The longer match wins; on a tie this request's own text (the more recent).
    const size_t n_shared = shared_->Match(ctx, k_, &other_);
    if (n_shared > n_own) draft_.swap(other_);
  }
  return draft_;
}

void Drafter::Feedback(size_t proposed, size_t accepted) {
  if (proposed == 0) return;
  if (accepted == proposed) k_ = std::min(max_k_, k_ + 1);
  else if (accepted == 0) k_ = std::max<size_t>(1, k_ - 1);
}

}  // namespace ecgr1
