// The Catch2 v2 runner for all unit and golden tests. ECGR1_MAX_ISA caps the
// kernels for the whole run, as it does for the ecgr1 binary, so the suite
// can be run on the paths a smaller CPU takes (tests that compare paths set
// the cap themselves and restore it).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

#include "base/error.h"
#include "kernels/cpu_features.h"

int main(int argc, char** argv) {
  try {
    ecgr1::kernels::ApplyMaxIsaFromEnvironment();
  } catch (const ecgr1::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return Catch::Session().run(argc, argv);
}
