// main.cc — the ecgr1 command line: subcommands, exit codes, the one place
// where errors become messages.
#include <omp.h>

#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "app/commands.h"
#include "base/atomic_file.h"
#include "base/error.h"
#include "kernels/cpu_features.h"

namespace {

const char* const kExitCodes =
    "Exit codes: 0 success; 1 internal error; 2 bad command-line usage; 3 bad or unreadable input file;\n"
    "4 model missing, malformed or mismatched; 5 output file could not be written.";

}  // namespace

int main(int argc, char** argv) {
  using ecgr1::Error;
  using ecgr1::ExitCode;
  CLI::App app{"ecgr1 — run the ECG-R1 reasoning model on a CPU, and check what it says against the signal."};
  app.footer(kExitCodes);
  // Usage errors: one line, like every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("ecgr1: ") + e.what() + " (see --help)\n";
  });
  app.require_subcommand(1);
  app.set_version_flag("--version", "ecgr1 " ECGR1_VERSION);
  std::vector<ecgr1::Command> commands = {
      ecgr1::AddInterpretCommand(app),
      ecgr1::AddConvertCommand(app),
      ecgr1::AddInfoCommand(app),
      ecgr1::AddTokenizeCommand(app),
      ecgr1::AddMeasureCommand(app),
      ecgr1::AddCheckCommand(app),
      ecgr1::AddBenchCommand(app),
      ecgr1::AddRenderCommand(app),
  };
  for (ecgr1::Command& c : commands)
    if (c.sub->get_footer().empty()) c.sub->footer(kExitCodes);  // `check` has its own
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message
    return static_cast<int>(ExitCode::kUsage);
  }
  try {
    ecgr1::kernels::ApplyMaxIsaFromEnvironment();
    for (ecgr1::Command& c : commands)
      if (c.sub->parsed()) {
        const int rc = c.run();
        std::fflush(stdout);
        if (std::ferror(stdout)) {
          std::fprintf(stderr, "ecgr1: error writing to standard output\n");
          return static_cast<int>(ExitCode::kOutput);
        }
        return rc;
      }
  } catch (const Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "ecgr1: %s\n", e.what());
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "ecgr1: out of memory\n");
    return static_cast<int>(ExitCode::kInternal);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecgr1: internal error: %s\n", e.what());
    return static_cast<int>(ExitCode::kInternal);
  }
  return static_cast<int>(ExitCode::kUsage);
}
