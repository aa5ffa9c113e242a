// drafter.h — retrieval (n-gram) drafts for speculative decoding.
//
// ECG-R1 writes the same step headers, protocol sentences and lead lists
// record after record. A TokenStore indexes token sequences (earlier outputs,
// a user's corpus, the prompt and the output so far) by their n-grams (n = 1
// .. kMaxNgram); the draft for a context is what followed the longest suffix
// of the context that occurs in the store, at its latest occurrence (the idea
// of prompt-lookup decoding and of REST, retrieval-based speculative
// decoding). The decoder verifies the draft in one pass and keeps the longest
// prefix its own greedy choice agrees with, so the output is unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ecgr1 {

class TokenStore {
 public:
  static constexpr size_t kMaxNgram = 6;

  // Appends one token to the current document / ends the document (a draft
  // never runs across the end of a document).
  void Push(int32_t id);
  void EndDocument();
  void AddDocument(const std::vector<int32_t>& ids);

  // The longest n (<= kMaxNgram) such that the last n tokens of `context`
  // occur in the store followed by at least one token; writes up to `k` of
  // the tokens that followed its latest occurrence to `draft`. Returns n (0:
  // no match, draft empty). The open document's own last n-gram is not yet
  // followed by anything, so a context never matches itself.
  size_t Match(const std::vector<int32_t>& context, size_t k, std::vector<int32_t>* draft) const;

  size_t size() const { return tokens_.size(); }
  size_t documents() const { return documents_; }
  const std::vector<int32_t>& tokens() const { return tokens_; }  // documents separated by -1

  // A binary file (magic, count, int32 tokens): --draft-store. Load checks
  // every token against `vocab` and throws Error(kBadInput) naming the file.
  void Save(const std::string& path) const;
  static TokenStore Load(const std::string& path, int32_t vocab);

 private:
  static constexpr int32_t kEnd = -1;
  std::vector<int32_t> tokens_;
  size_t documents_ = 0;
  // (n, hash of n tokens) -> index of the token after the latest occurrence.
  std::unordered_map<uint64_t, uint32_t> next_;
};

// Draft length control: K grows by one after a fully accepted draft and
// shrinks after a fully rejected one, within [1, max].
struct DraftStats {
  size_t drafted = 0;       // draft tokens proposed and verified
  size_t accepted = 0;      // of them, accepted
  size_t verify_steps = 0;  // decoder passes that verified a draft
  size_t steps = 0;         // all decode passes (with or without a draft)
};

class Tokenizer;

// Earlier outputs as text, one document each: a JSONL file (one object per
// line; its "text", "response" or "output" string), or any other text file as
// one document. Throws Error(kBadInput) naming the file and line.
std::vector<std::string> ReadOutputTexts(const std::string& path);

// Adds the texts of ReadOutputTexts(path) to `store`, tokenized; returns how many.
size_t AddCorpus(TokenStore& store, const Tokenizer& tok, const std::string& path);

class Drafter {
 public:
  // `shared`: earlier outputs and corpus (may be null); `max_k`: longest draft.
  Drafter(const TokenStore* shared, size_t max_k);
  // The prompt and then each generated token, in order.
  void Observe(int32_t id);
  // A draft to follow the observed tokens (possibly empty).
  const std::vector<int32_t>& Propose();
  // After verification: `accepted` of the proposed draft were kept.
  void Feedback(size_t proposed, size_t accepted);
  const std::vector<int32_t>& context() const { return own_.tokens(); }

 private:
  const TokenStore* shared_;
  TokenStore own_;  // this request's prompt and output
  std::vector<int32_t> draft_, other_;
  size_t max_k_, k_;
};

}  // namespace ecgr1
