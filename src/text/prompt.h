// prompt.h — the ECG-R1 chat prompt: template, modality tags, placeholder
// expansion and the 3-stream (t, h, w) rotary positions.
//
// Template (ms-swift ecg_r1 = Qwen ChatML, no BOS):
//   <|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{USER}<|im_end|>\n<|im_start|>assistant\n
// Tags in message text: <ecg> -> <|ecg_start|><|ecg_pad|><|ecg_end|>,
// <image> -> <|vision_start|><|image_pad|><|vision_end|>; each pad is then
// expanded to the number of embeddings its input produces (101 per ECG,
// grid_h*grid_w/4 per image). User text is tokenized as plain text: it cannot
// inject control tokens unless parse_special is set.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/text_decoder.h"
#include "text/tokenizer.h"

namespace ecgr1 {

// The system prompt ECG-R1 was trained and evaluated with.
extern const char* const kEcgR1SystemPrompt;
// The instruction of ECG-R1's training and test records.
extern const char* const kEcgR1Instruction;

struct ChatMessage {
  std::string role;     // "system", "user" or "assistant"
  std::string content;  // may carry <ecg> / <image> tags
};

// The user string ECG-R1 builds for the inputs given when the text carries no
// tags (preprocessing.md §2.3): "<ecg><image>\n" + text, "<image>\n" + text,
// "<ecg> " + text, or text. Empty text means the trained instruction.
std::string DefaultUserText(const std::string& text, int n_ecg, int n_image);

// Counts <ecg> and <image> tags in a text.
void CountTags(const std::string& text, int* n_ecg, int* n_image);

// Parses {"messages": [{"role": ..., "content": "..." | [{"type": "text"|"ecg"|"image", "text": ...}]}]}.
// Typed parts become tags. Throws Error(kBadInput) naming `source`.
std::vector<ChatMessage> ParseMessagesJson(const std::string& json_text, const std::string& source);

// Adds ECG-R1's system prompt in front when the conversation has none.
std::vector<ChatMessage> WithDefaultSystem(std::vector<ChatMessage> messages);

struct PromptInputs {
  int ecg_tokens = 101;                   // embeddings per ECG
  std::vector<std::array<int, 2>> image_grids;  // merged (rows, cols) per image, in prompt order
  int n_ecg = 0;                          // ECG inputs available
  bool parse_special = false;             // recognise special-token strings in message text
};

struct PromptPlan {
  std::string rendered;           // the template string before pad expansion
  std::vector<int32_t> ids;       // after expansion
  std::vector<size_t> ecg_starts;    // index of the first <|ecg_pad|> of each ECG
  std::vector<size_t> image_starts;  // index of the first <|image_pad|> of each image
  Positions positions;            // 3 x ids.size()
  int64_t rope_delta = 0;         // max position + 1 - ids.size()
};

// Renders, tokenizes and expands a conversation, adding the assistant prefix.
// The number of <ecg>/<image> tags must equal the inputs given.
PromptPlan BuildPrompt(const Tokenizer& tok, const std::vector<ChatMessage>& messages, const PromptInputs& in);

}  // namespace ecgr1
