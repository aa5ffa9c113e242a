// error.h — the one mechanism for reporting bad input and failed operations.
//
// Every failure that a user can cause (a bad file, a bad flag, a missing model)
// is thrown as ecgr1::Error with an exit code and one line of text naming the
// file and the problem. main() catches it once, prints "ecgr1: <message>" on
// stderr and exits with the code. Asserts are only for our own bugs.
#pragma once

#include <cstdarg>
#include <stdexcept>
#include <string>

namespace ecgr1 {

// Process exit codes, documented in `ecgr1 --help`.
enum class ExitCode : int {
  kOk = 0,
  kInternal = 1,   // a bug of ours, or an unexpected system error
  kUsage = 2,      // bad command-line flags or values
  kBadInput = 3,   // an input file is missing, unreadable or malformed
  kBadModel = 4,   // a model/checkpoint is missing, malformed or mismatched
  kOutput = 5,     // an output file could not be written
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// printf-style formatting into a std::string.
std::string StrFormat(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Throws Error(code, formatted message).
[[noreturn]] void Fail(ExitCode code, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));

}  // namespace ecgr1
