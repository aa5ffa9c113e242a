// require_error.h — the one check for "this input must be refused".
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "base/error.h"

namespace ecgr1::test {

// Runs `fn` and requires an ecgr1::Error with exit code `code` whose message
// is one line and contains every needle (e.g. the file name and the problem).
inline void RequireError(const std::function<void()>& fn, ExitCode code, const std::vector<std::string>& needles) {
  try {
    fn();
  } catch (const Error& e) {
    const std::string m = e.what();
    INFO("message: " << m);
    CHECK(e.code() == code);
    for (const std::string& n : needles) CHECK(m.find(n) != std::string::npos);
    CHECK(m.find('\n') == std::string::npos);
    return;
  }
  FAIL("no ecgr1::Error thrown; expected one containing " << (needles.empty() ? std::string() : needles.front()));
}

}  // namespace ecgr1::test
