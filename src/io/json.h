// json.h — strict JSON parsing for every JSON file we read (all untrusted).
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace ecgr1 {

// Parses `n` bytes of JSON. Rejects invalid UTF-8, invalid JSON, repeated keys
// in an object (nlohmann would silently keep the last) and nesting deeper than
// 64 levels. Errors throw Error(code) as "<what>: ..." on one printable line.
nlohmann::json ParseJson(const char* text, size_t n, const std::string& what, ExitCode code);
inline nlohmann::json ParseJson(const std::string& text, const std::string& what, ExitCode code) {
  return ParseJson(text.data(), text.size(), what, code);
}

}  // namespace ecgr1
