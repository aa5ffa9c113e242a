// strings.h — ASCII case folding for names and keywords read from files and
// model text (units, lead names, format keys, claim keywords). Bytes outside
// A-Z are kept as they are, so UTF-8 passes through untouched.
#pragma once

#include <string>
#include <string_view>

namespace ecgr1 {

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace ecgr1
