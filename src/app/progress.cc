#include "app/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace ecgr1 {

std::string HumanDuration(double s) {
  char buf[64];
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 10) {
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  } else if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  } else if (s < 3600) {
    const long t = std::lround(s);
    std::snprintf(buf, sizeof buf, "%ld min %02ld s", t / 60, t % 60);
  } else {
    const long t = std::lround(s / 60);
    std::snprintf(buf, sizeof buf, "%ld h %02ld min", t / 60, t % 60);
  }
  return buf;
}

ProgressLine::ProgressLine(bool wanted) : enabled_(wanted && ::isatty(STDERR_FILENO) == 1) {}

void ProgressLine::Start(const std::string& phase) {
  phase_ = phase;
  start_ = std::chrono::steady_clock::now();
  last_ = start_ - std::chrono::seconds(1);
  Update(0.0);
}

void ProgressLine::Update(double fraction, const std::string& detail) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = phase_;
  if (!detail.empty()) line += ": " + detail;
  if (fraction >= 0) {
    char pct[32];
    std::snprintf(pct, sizeof pct, ", %.0f %%", 100 * fraction);
    line += pct;
    // An estimate needs some progress and some time to go on.
    if (fraction > 0.02 && elapsed > 1.0) line += ", " + HumanDuration(elapsed * (1 - fraction) / fraction) + " left";
  }
  line += " (" + HumanDuration(elapsed) + ")";
  // \r, the line, then erase to the end of the line: a shorter line leaves
  // nothing of the previous one behind.
  std::fprintf(stderr, "\r%s\033[K", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::Clear() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace ecgr1
