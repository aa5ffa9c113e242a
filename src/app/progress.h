// progress.h — one status line on stderr while long work runs: what is being
// done, how far, how fast, and an estimate of the time left. Only when
// stderr is a terminal (a log file or a pipe gets nothing); rewritten in
// place at most 10 times a second and erased when the work is done, so the
// results printed on stdout stay clean.
#pragma once

#include <chrono>
#include <string>

namespace ecgr1 {

class ProgressLine {
 public:
  // Shown only if `wanted` and stderr is a terminal.
  explicit ProgressLine(bool wanted = true);
  ~ProgressLine() { Clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool enabled() const { return enabled_; }
  // Starts a phase: its clock for the estimate starts now.
  void Start(const std::string& phase);
  // Shows "phase: detail, 42 %, 12 s left" (the estimate from the phase's
  // elapsed time and `fraction` done, once there is something to go on).
  // fraction < 0 means unknown: elapsed time only.
  void Update(double fraction, const std::string& detail = "");
  // Erases the line (before anything else is written to the terminal).
  void Clear();

 private:
  bool enabled_;
  bool shown_ = false;
  std::string phase_;
  std::chrono::steady_clock::time_point start_, last_;
};

// "1 h 02 min", "3 min 05 s", "12 s", "0.4 s".
std::string HumanDuration(double seconds);

}  // namespace ecgr1
