#include "app/batch_runner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <set>

#include "app/commands.h"
#include "base/atomic_file.h"
#include "base/mapped_file.h"

namespace ecgr1 {
namespace {

volatile sig_atomic_t g_signals = 0;  // SIGINT/SIGTERM received during a batch
volatile sig_atomic_t g_signo = 0;

void OnBatchSignal(int sig) {
  g_signo = sig;
  if (++g_signals >= 2) {  // the second: stop at once (every written line is whole)
    RemovePendingOutputs();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

struct sigaction g_old_int, g_old_term;

std::string IdKey(const nlohmann::json& id) { return id.dump(); }

// "i/n" with 0 <= i < n.
void ParseShard(const std::string& s, size_t* i, size_t* n) {
  const size_t slash = s.find('/');
  auto number = [&](const std::string& t, size_t* v) {
    if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos) return false;
    *v = std::stoul(t);
    return true;
  };
  if (slash == std::string::npos || !number(s.substr(0, slash), i) || !number(s.substr(slash + 1), n) || *n == 0 ||
      *i >= *n)
    Fail(ExitCode::kUsage, "--shard %s: want i/n with 0 <= i < n (e.g. 0/4 .. 3/4)", s.c_str());
}

}  // namespace

void AddBatchFlags(CLI::App* sub, BatchFlags& f, const std::string& what) {
  sub->add_option("--batch", f.jobs,
                  "Run many records: a JSONL job file (or -), one object per line with a unique \"id\" and " + what +
                      "; relative paths are relative to the job file. Results go to -o, one JSON line per record");
  sub->add_option("-o,--output", f.output,
                  "With --batch: the results file (JSONL, appended and fsynced record by record; - for standard output)");
  sub->add_flag("--resume", f.resume, "With --batch: skip the ids already in the results file and append the rest");
  sub->add_option("--shard", f.shard,
                  "With --batch: run only every n-th job from the i-th (i/n, 0 <= i < n, jobs counted from 0 in file order), e.g. "
                  "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT");
}

std::string BatchJob::String(const char* key) const {
  if (!spec.contains(key)) return "";
  if (!spec[key].is_string()) Fail(ExitCode::kBadInput, "job %s (line %zu): \"%s\" must be a string", id.dump().c_str(), line, key);
  return spec[key].get<std::string>();
}

std::string BatchJob::Path(const char* key) const {
  const std::string p = String(key);
  if (p.empty() || p[0] == '/' || folder.empty()) return p;
  return folder + "/" + p;
}

std::vector<std::string> BatchJob::Paths(const char* key) const {
  std::vector<std::string> out;
  if (!spec.contains(key)) return out;
  const nlohmann::json& v = spec[key];
  if (v.is_string()) return {Path(key)};
  if (!v.is_array()) Fail(ExitCode::kBadInput, "job %s (line %zu): \"%s\" must be a path or a list of paths", id.dump().c_str(), line, key);
  for (const nlohmann::json& p : v) {
    if (!p.is_string()) Fail(ExitCode::kBadInput, "job %s (line %zu): \"%s\" must be a path or a list of paths", id.dump().c_str(), line, key);
    const std::string s = p.get<std::string>();
    out.push_back(s.empty() || s[0] == '/' || folder.empty() ? s : folder + "/" + s);
  }
  return out;
}

BatchRunner::BatchRunner(const BatchFlags& f, const char* command)
    : command_(command), output_(f.output), start_(std::chrono::steady_clock::now()), last_line_(start_) {
  if (f.output.empty()) Fail(ExitCode::kUsage, "--batch needs -o FILE (the results, one JSON line per record)");
  to_stdout_ = f.output == "-";
  if (to_stdout_ && f.resume) Fail(ExitCode::kUsage, "--resume needs a results file, not standard output");
  size_t shard_i = 0, shard_n = 1;
  if (!f.shard.empty()) ParseShard(f.shard, &shard_i, &shard_n);
  const std::string jobs_name = f.jobs == "-" ? "(standard input)" : f.jobs;
  const std::string text = f.jobs == "-" ? TextArgument("-", "--batch") : ReadSmallFile(f.jobs, ExitCode::kBadInput, size_t{1} << 30);
  const std::string folder = f.jobs == "-" ? std::string() : std::filesystem::path(f.jobs).parent_path().string();

  // Every line checked before any work.
  std::set<std::string> ids;
  size_t line_no = 0, index = 0;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      Fail(ExitCode::kBadInput, "%s:%zu: not a JSON object", jobs_name.c_str(), line_no);
    if (!j.contains("id") || !(j["id"].is_string() || j["id"].is_number_integer()))
      Fail(ExitCode::kBadInput, "%s:%zu: no \"id\" (a string or an integer)", jobs_name.c_str(), line_no);
    if (!ids.insert(IdKey(j["id"])).second)
      Fail(ExitCode::kBadInput, "%s:%zu: duplicate id %s", jobs_name.c_str(), line_no, j["id"].dump().c_str());
    if (index++ % shard_n != shard_i) continue;
    BatchJob job;
    job.id = j["id"];
    job.line = line_no;
    job.folder = folder;
    job.spec = std::move(j);
    jobs_.push_back(std::move(job));
  }
  if (ids.empty()) Fail(ExitCode::kBadInput, "%s: no jobs", jobs_name.c_str());

  // The ids already done, when resuming; an existing output otherwise is refused.
  if (!to_stdout_) {
    struct stat st;
    const bool exists = ::stat(output_.c_str(), &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) Fail(ExitCode::kUsage, "%s: the results must go to a regular file", output_.c_str());
    if (exists && st.st_size > 0 && !f.resume)
      Fail(ExitCode::kUsage, "%s exists: add --resume to continue it, or remove it", output_.c_str());
    if (exists && f.resume) {
      const std::string done = ReadSmallFile(output_, ExitCode::kBadInput, size_t{4} << 30);
      // A last line cut short (a crash while writing it) is dropped.
      const size_t keep = done.rfind('\n') == std::string::npos ? 0 : done.rfind('\n') + 1;
      if (keep < done.size() && ::truncate(output_.c_str(), static_cast<off_t>(keep)) != 0)
        Fail(ExitCode::kOutput, "%s: cannot drop its unfinished last line: %s", output_.c_str(), std::strerror(errno));
      std::set<std::string> have;
      size_t n = 0;
      for (size_t at = 0; at < keep;) {
        const size_t end = done.find('\n', at);
        const std::string line = done.substr(at, end - at);
        at = end + 1;
        ++n;
        if (line.empty()) continue;
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("id"))
          Fail(ExitCode::kBadInput, "%s:%zu: not a result record; cannot resume (fix or remove that line)",
               output_.c_str(), n);
        have.insert(IdKey(j["id"]));
        resumed_.push_back(std::move(j));
      }
      std::vector<BatchJob> rest;
      for (BatchJob& j : jobs_)
        if (have.count(IdKey(j.id))) ++skipped_;
        else rest.push_back(std::move(j));
      jobs_ = std::move(rest);
    }
  }
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnBatchSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  g_signals = 0;
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
  if (progress_.enabled()) progress_.Start(command_ + " batch");
  Report();
}

BatchRunner::~BatchRunner() {
  progress_.Clear();
  if (fd_ >= 0) ::close(fd_);
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
}

bool BatchRunner::stopping() const { return g_signals > 0; }

void BatchRunner::Append(const nlohmann::json& record) {
  const std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (to_stdout_) {
    progress_.Clear();
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    return;
  }
  // Opened at the first record, so that a run that fails before any (no
  // model, say) leaves no results file behind.
  if (fd_ < 0) {
    fd_ = ::open(output_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) Fail(ExitCode::kOutput, "%s: cannot open for writing: %s", output_.c_str(), std::strerror(errno));
  }
  // One write() of the whole line (a regular file in append mode); a short
  // write goes on from where it stopped.
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t w = ::write(fd_, line.data() + off, line.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) Fail(ExitCode::kOutput, "%s: cannot write: %s", output_.c_str(), std::strerror(errno));
    off += static_cast<size_t>(w);
  }
  if (::fsync(fd_) != 0 && errno != EINVAL)
    Fail(ExitCode::kOutput, "%s: cannot flush to disk: %s", output_.c_str(), std::strerror(errno));
}

void BatchRunner::Done(const BatchJob& job, nlohmann::json record) {
  record["id"] = job.id;
  Append(record);
  ++done_;
  Report();
}

void BatchRunner::Failed(const BatchJob& job, const Error& e) {
  std::string msg = e.what();
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  Append({{"id", job.id}, {"error", msg}, {"exit_code", static_cast<int>(e.code())}});
  ++done_;
  ++failed_;
  Report();
}

void BatchRunner::Report() {
  const size_t total = jobs_.size();
  const auto now = std::chrono::steady_clock::now();
  const double s = std::chrono::duration<double>(now - start_).count();
  char buf[256];
  std::snprintf(buf, sizeof buf, "%zu/%zu records%s%s, %.2f records/min", done_, total,
                failed_ ? (", " + std::to_string(failed_) + " failed").c_str() : "",
                skipped_ ? (", " + std::to_string(skipped_) + " done before").c_str() : "",
                s > 0 ? 60.0 * static_cast<double>(done_) / s : 0.0);
  if (progress_.enabled()) {
    progress_.Update(total ? static_cast<double>(done_) / static_cast<double>(total) : 1.0, buf);
    return;
  }
  if (std::chrono::duration<double>(now - last_line_).count() < 10.0 || done_ == 0) return;
  last_line_ = now;
  const double left = done_ ? s / static_cast<double>(done_) * static_cast<double>(total - done_) : 0.0;
  std::fprintf(stderr, "ecgr1: %s batch: %s, about %s left\n", command_.c_str(), buf, HumanDuration(left).c_str());
}

int BatchRunner::Finish(int failed_code) {
  progress_.Clear();
  const std::string where = to_stdout_ ? "standard output" : output_;
  if (g_signals > 0) {
    std::fprintf(stderr, "ecgr1: %s batch interrupted: %zu of %zu records written to %s; run it again with --resume "
                 "to finish\n", command_.c_str(), done_, jobs_.size(), where.c_str());
    return 128 + static_cast<int>(g_signo);
  }
  if (failed_ > 0) {
    std::fprintf(stderr, "ecgr1: %s batch: %zu of %zu records failed (error records in %s)\n", command_.c_str(),
                 failed_, jobs_.size(), where.c_str());
    return failed_code;
  }
  return 0;
}

int BatchRunner::RunEach(const std::function<nlohmann::json(const BatchJob&)>& run, int failed_code) {
  for (const BatchJob& job : jobs_) {
    if (stopping()) break;
    try {
      Done(job, run(job));
    } catch (const Error& e) {
      if (e.code() == ExitCode::kOutput) throw;  // the results file itself: nothing more can be recorded
      Failed(job, e);
    }
  }
  return Finish(failed_code);
}

}  // namespace ecgr1
