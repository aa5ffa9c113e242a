// json.cc — strict JSON parsing of untrusted files.
#include "io/json.h"

#include <set>
#include <vector>

#include "base/error.h"

namespace ecgr1 {
namespace {

using nlohmann::json;

constexpr int kMaxJsonDepth = 64;

// nlohmann's message without its "[json.exception.x.y] " prefix, cut to a
// sane length, with control and non-ASCII bytes (it quotes the bytes it read,
// which may be invalid UTF-8) replaced so the line is safe to print.
std::string CleanJsonMessage(const char* what) {
  std::string m = what;
  if (!m.empty() && m[0] == '[') {
    const size_t close = m.find("] ");
    if (close != std::string::npos) m.erase(0, close + 2);
  }
  if (m.size() > 300) m = m.substr(0, 300) + "...";
  for (char& c : m)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  return m;
}

}  // namespace

nlohmann::json ParseJson(const char* text, size_t n, const std::string& what, ExitCode code) {
  // One set of seen keys per open object; the parser callback sees keys in
  // document order, so a repeated key is caught before nlohmann overwrites it.
  std::vector<std::set<std::string>> open;
  std::string dup;
  auto cb = [&](int depth, json::parse_event_t ev, json& parsed) {
    // Deep nesting would make later recursive walks (dump, our readers)
    // overflow the stack: no file we read needs more than a few levels.
    if (depth > kMaxJsonDepth) Fail(code, "%s: JSON nested deeper than %d levels", what.c_str(), kMaxJsonDepth);
    if (ev == json::parse_event_t::object_start) {
      open.emplace_back();
    } else if (ev == json::parse_event_t::object_end) {
      if (!open.empty()) open.pop_back();
    } else if (ev == json::parse_event_t::key && !open.empty() && dup.empty()) {
      const std::string& k = parsed.get_ref<const std::string&>();
      if (!open.back().insert(k).second) dup = k;
    }
    return true;
  };
  json j;
  try {
    j = json::parse(text, text + n, cb);
  } catch (const json::exception& e) {
    // nlohmann's message names the byte position and, for bad UTF-8, says so.
    Fail(code, "%s: invalid JSON: %s", what.c_str(), CleanJsonMessage(e.what()).c_str());
  }
  if (!dup.empty()) Fail(code, "%s: duplicate JSON key '%s'", what.c_str(), dup.c_str());
  return j;
}

}  // namespace ecgr1
