#include "text/prompt.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "io/json.h"

namespace ecgr1 {

const char* const kEcgR1SystemPrompt =
    "You are a helpful, harmless clinical ECG assistant. Provide concise, evidence-based interpretations.";
const char* const kEcgR1Instruction =
    "Interpret the provided ECG image, identify key features and abnormalities in each lead, and generate a "
    "clinical diagnosis that is supported by the observed evidence.";

namespace {

constexpr const char* kEcgTag = "<ecg>";
constexpr const char* kImageTag = "<image>";

// One piece of the rendered prompt: a control token or text to tokenize.
struct Part {
  int32_t special = -1;  // token id, or -1 for text
  std::string text;
};

// A modality tag and the control tokens it becomes: start, pad (expanded to
// the input's embeddings later), end. Index 0 = ECG, 1 = image.
struct TagSpec {
  const char* tag;
  size_t tag_len;
  const char* tokens[3];
};
constexpr TagSpec kTags[2] = {
    {kEcgTag, 5, {"<|ecg_start|>", "<|ecg_pad|>", "<|ecg_end|>"}},
    {kImageTag, 7, {"<|vision_start|>", "<|image_pad|>", "<|vision_end|>"}},
};

int32_t RequireToken(const Tokenizer& tok, const char* s) {
  const int32_t id = tok.TokenId(s);
  if (id < 0) Fail(ExitCode::kBadModel, "the model's tokenizer has no %s token", s);
  return id;
}

}  // namespace

void CountTags(const std::string& text, int* n_ecg, int* n_image) {
  int n[2] = {0, 0};
  for (size_t p = text.find('<'); p != std::string::npos; p = text.find('<', p + 1))
    for (int k = 0; k < 2; ++k) n[k] += text.compare(p, kTags[k].tag_len, kTags[k].tag) == 0;
  *n_ecg = n[0];
  *n_image = n[1];
}

std::string DefaultUserText(const std::string& text, int n_ecg, int n_image) {
  const std::string body = text.empty() ? std::string(kEcgR1Instruction) : text;
  std::string prefix;
  for (int i = 0; i < n_ecg; ++i) prefix += kEcgTag;
  for (int i = 0; i < n_image; ++i) prefix += kImageTag;
  if (n_image > 0) return prefix + "\n" + body;
  if (n_ecg > 0) return prefix + " " + body;
  return body;
}

std::vector<ChatMessage> WithDefaultSystem(std::vector<ChatMessage> messages) {
  const bool has_system = !messages.empty() && messages.front().role == "system";
  if (!has_system) messages.insert(messages.begin(), ChatMessage{"system", kEcgR1SystemPrompt});
  return messages;
}

std::vector<ChatMessage> ParseMessagesJson(const std::string& json_text, const std::string& source) {
  const nlohmann::json j = ParseJson(json_text, source, ExitCode::kBadInput);
  const nlohmann::json* list = nullptr;
  if (j.is_object() && j.contains("messages")) list = &j["messages"];
  if (list == nullptr || !list->is_array() || list->empty())
    Fail(ExitCode::kBadInput, "%s: expected {\"messages\": [...]} with at least one message", source.c_str());
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& m = (*list)[i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content"))
      Fail(ExitCode::kBadInput, "%s: message %zu needs a string \"role\" and a \"content\"", source.c_str(), i);
    ChatMessage msg;
    msg.role = m["role"].get<std::string>();
    if (msg.role != "system" && msg.role != "user" && msg.role != "assistant")
      Fail(ExitCode::kBadInput, "%s: message %zu: role \"%s\" is not system, user or assistant", source.c_str(), i,
           msg.role.c_str());
    if (msg.role == "system" && i != 0)
      Fail(ExitCode::kBadInput, "%s: message %zu: a system message must come first", source.c_str(), i);
    const nlohmann::json& c = m["content"];
    if (c.is_string()) {
      msg.content = c.get<std::string>();
    } else if (c.is_array()) {
      for (const nlohmann::json& part : c) {
        const std::string type = part.is_object() && part.contains("type") && part["type"].is_string()
                                     ? part["type"].get<std::string>()
                                     : "";
        if (type == "ecg") {
          msg.content += kEcgTag;
        } else if (type == "image") {
          msg.content += kImageTag;
        } else if (type == "text" && part.contains("text") && part["text"].is_string()) {
          msg.content += part["text"].get<std::string>();
        } else {
          Fail(ExitCode::kBadInput, "%s: message %zu: content parts must be {\"type\": \"text\", \"text\": ...}, "
               "{\"type\": \"ecg\"} or {\"type\": \"image\"}", source.c_str(), i);
        }
      }
    } else {
      Fail(ExitCode::kBadInput, "%s: message %zu: content must be a string or a list of parts", source.c_str(), i);
    }
    out.push_back(std::move(msg));
  }
  return out;
}

PromptPlan BuildPrompt(const Tokenizer& tok, const std::vector<ChatMessage>& messages, const PromptInputs& in) {
  const int32_t im_start = RequireToken(tok, "<|im_start|>"), im_end = RequireToken(tok, "<|im_end|>");
  int32_t tag_ids[2][3] = {{-1, -1, -1}, {-1, -1, -1}};  // looked up when a tag is first seen

  // 1. Render into parts (control tokens vs text), and the display string.
  std::vector<Part> parts;
  PromptPlan plan;
  auto special = [&](int32_t id, const char* s) {
    parts.push_back({id, ""});
    plan.rendered += s;
  };
  auto text = [&](const std::string& s) {
    if (s.empty()) return;
    if (!parts.empty() && parts.back().special < 0)
      parts.back().text += s;
    else
      parts.push_back({-1, s});
    plan.rendered += s;
  };
  int tag_count[2] = {0, 0};
  for (const ChatMessage& m : messages) {
    if (m.role == "system" && m.content.empty()) continue;  // an empty system removes the block
    special(im_start, "<|im_start|>");
    text(m.role + "\n");
    const std::string& c = m.content;
    size_t p = 0;
    while (p < c.size()) {
      // The earliest tag from p on, of either kind.
      size_t next = std::string::npos;
      int kind = -1;
      for (int k = 0; k < 2; ++k) {
        const size_t at = c.find(kTags[k].tag, p);
        if (at < next) next = at, kind = k;
      }
      text(c.substr(p, next == std::string::npos ? std::string::npos : next - p));
      if (next == std::string::npos) break;
      const TagSpec& t = kTags[kind];
      for (int j = 0; j < 3; ++j) {
        if (tag_ids[kind][j] < 0) tag_ids[kind][j] = RequireToken(tok, t.tokens[j]);
        special(tag_ids[kind][j], t.tokens[j]);
      }
      ++tag_count[kind];
      p = next + t.tag_len;
    }
    special(im_end, "<|im_end|>");
    text("\n");
  }
  special(im_start, "<|im_start|>");
  text("assistant\n");
  if (tag_count[0] != in.n_ecg)
    Fail(ExitCode::kUsage, "the prompt has %d <ecg> tag(s) but %d ECG record(s) were given", tag_count[0], in.n_ecg);
  if (tag_count[1] != static_cast<int>(in.image_grids.size()))
    Fail(ExitCode::kUsage, "the prompt has %d <image> tag(s) but %zu image(s) were given", tag_count[1],
         in.image_grids.size());
  const int32_t ecg_pad = tag_ids[0][1], image_pad = tag_ids[1][1];

  // 2. Tokenize text parts and expand pads; 3. positions (preprocessing.md §6).
  int64_t cur = 0;  // next free position
  size_t image_index = 0;
  for (const Part& part : parts) {
    if (part.special < 0) {
      for (int32_t id : tok.Encode(part.text, in.parse_special)) {
        plan.ids.push_back(id);
        plan.positions.Push(cur, cur, cur);
        ++cur;
      }
    } else if (part.special == ecg_pad) {
      plan.ecg_starts.push_back(plan.ids.size());
      for (int i = 0; i < in.ecg_tokens; ++i) {
        plan.ids.push_back(ecg_pad);
        plan.positions.Push(cur, cur, cur);
        ++cur;
      }
    } else if (part.special == image_pad) {
      // Image tokens in raster order over the merged grid: (s, s + r, s + c).
      const int rows = in.image_grids[image_index][0], cols = in.image_grids[image_index][1];
      ++image_index;
      plan.image_starts.push_back(plan.ids.size());
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
          plan.ids.push_back(image_pad);
          plan.positions.Push(cur, cur + r, cur + c);
        }
      cur += std::max(rows, cols);
    } else {
      plan.ids.push_back(part.special);
      plan.positions.Push(cur, cur, cur);
      ++cur;
    }
  }
  plan.rope_delta = cur - static_cast<int64_t>(plan.ids.size());
  return plan;
}

}  // namespace ecgr1
