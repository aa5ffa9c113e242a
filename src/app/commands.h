// commands.h — the subcommands of the ecgr1 binary, one file each.
//
// Each Add* registers its flags on `app` and returns the function main calls
// when that subcommand was chosen. Commands print machine output on stdout,
// messages for people on stderr, and report failures by throwing
// ecgr1::Error (caught once in main).
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace ecgr1 {

struct Command {
  CLI::App* sub = nullptr;
  std::function<int()> run;
};

Command AddInterpretCommand(CLI::App& app);
Command AddConvertCommand(CLI::App& app);
Command AddInfoCommand(CLI::App& app);
Command AddTokenizeCommand(CLI::App& app);
Command AddMeasureCommand(CLI::App& app);
Command AddCheckCommand(CLI::App& app);
Command AddBenchCommand(CLI::App& app);
Command AddRenderCommand(CLI::App& app);

// The model to use: `flag` if given, else $ECGR1_MODEL, else the default file
// under weights/ (next to the working directory or the binary). Throws
// Error(kBadModel) with a one-line hint on how to get one.
std::string FindModel(const std::string& flag);

// The documented default model path (relative to the project folder).
extern const char* const kDefaultModelPath;

// Reads a text argument: "-" means all of standard input.
std::string TextArgument(const std::string& arg, const char* what);

// Sets the OpenMP thread count (0 = leave the default).
void SetThreads(int threads);

}  // namespace ecgr1
