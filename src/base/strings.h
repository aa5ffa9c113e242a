// strings.h — ASCII case folding for names and keywords read from files and
// model text (units, lead names, format keys, claim keywords), and escaping
// untrusted text for XML/HTML. Bytes outside ASCII are kept as they are, so
// UTF-8 passes through untouched.
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

// Text for XML/HTML content or attributes: < > & " escaped, control bytes
// other than newline and tab dropped.
inline std::string XmlEscape(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') out += c;
  }
  return out;
}

}  // namespace ecgr1
