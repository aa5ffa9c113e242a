// batch_runner.h — `--batch jobs.jsonl -o results.jsonl` for interpret,
// measure and check: many records in one command, resumable, shardable.
//
// The job file has one JSON object per line with a unique "id" (a string or
// an integer) and what the command needs (see each command's --help). It is
// read and checked whole before any work: a line that is not an object, a
// missing or duplicate id is an error up front. Relative paths inside a job
// are resolved against the job file's folder.
//
// Each finished record is appended to the output as one JSON line holding its
// "id", written with one write() and fsync()ed before the next starts, so the
// output is valid whenever the process stops; a record that fails becomes
// {"id", "error", "exit_code"} and the run goes on. --resume skips the ids
// already in the output (dropping a last line cut short by a crash);
// without it an existing non-empty output is refused. --shard i/n keeps the
// jobs whose index in the file is i modulo n (0 <= i < n), so n machines (a
// Slurm array, GNU parallel) split one job file. A first SIGINT/SIGTERM lets
// the records in flight finish, then stops; a second stops at once.
// Progress goes to stderr: a live line on a terminal, otherwise a line every
// 10 s.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/progress.h"
#include "base/error.h"

namespace ecgr1 {

struct BatchFlags {
  std::string jobs, output, shard;
  bool resume = false;
};

// Adds --batch, -o/--output, --resume and --shard to `sub`; `what` says what
// a job line holds (for --help).
void AddBatchFlags(CLI::App* sub, BatchFlags& f, const std::string& what);

struct BatchJob {
  nlohmann::json id;    // as written in the job file
  nlohmann::json spec;  // the whole line
  size_t line = 0;      // 1-based line in the job file
  std::string folder;   // the job file's folder, for relative paths

  // spec[key] as a path (resolved against `folder`), or "" when absent;
  // Error(kBadInput) when present but not a string.
  std::string Path(const char* key) const;
  // spec[key] as a list of paths (a string or an array of strings).
  std::vector<std::string> Paths(const char* key) const;
  // spec[key] as a string, or "" when absent.
  std::string String(const char* key) const;
};

class BatchRunner {
 public:
  // Reads and checks the job file, applies the shard, reads the output when
  // resuming, opens the output for appending and installs the signal handlers.
  BatchRunner(const BatchFlags& f, const char* command);
  ~BatchRunner();
  BatchRunner(const BatchRunner&) = delete;
  BatchRunner& operator=(const BatchRunner&) = delete;

  const std::vector<BatchJob>& jobs() const { return jobs_; }  // still to run, in file order
  // The records already in the output (--resume), in their order: interpret
  // puts their tokens back into its draft store, as a run that was never
  // stopped would have them.
  const std::vector<nlohmann::json>& resumed() const { return resumed_; }
  // Appends the record of `job` (its "id" is set here) and reports progress.
  void Done(const BatchJob& job, nlohmann::json record);
  // Appends an error record for `job`.
  void Failed(const BatchJob& job, const Error& e);
  // True once a first SIGINT/SIGTERM has arrived: start no new record.
  bool stopping() const;
  // Final line on stderr; the exit status: 0 all done, `failed_code` some
  // records failed, 128 + signal when interrupted.
  int Finish(int failed_code = static_cast<int>(ExitCode::kBadInput));

  // Runs `run` on every job in order (each result or error recorded) until
  // done or stopping; returns Finish(failed_code).
  int RunEach(const std::function<nlohmann::json(const BatchJob&)>& run,
              int failed_code = static_cast<int>(ExitCode::kBadInput));

 private:
  void Append(const nlohmann::json& record);
  void Report();

  std::string command_, output_;
  std::vector<BatchJob> jobs_;
  std::vector<nlohmann::json> resumed_;
  size_t skipped_ = 0, done_ = 0, failed_ = 0;
  int fd_ = -1;
  bool to_stdout_ = false;
  ProgressLine progress_;
  std::chrono::steady_clock::time_point start_, last_line_;
};

}  // namespace ecgr1
