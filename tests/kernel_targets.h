// kernel_targets.h — runs a test once per Highway target that is compiled in
// and that this CPU supports, pinned with hwy::SetSupportedTargetsForTest.
#pragma once

#include <catch2/catch.hpp>

#include <hwy/targets.h>

#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/ops.h"

namespace ecgr1::test {

// Restores normal target selection even when a REQUIRE throws.
struct TargetPin {
  explicit TargetPin(int64_t target) { hwy::SetSupportedTargetsForTest(target); }
  ~TargetPin() { hwy::SetSupportedTargetsForTest(0); }
};

// Turns the intrinsics paths (kernels/cpu_features.h) on or off for a scope.
struct IntrinsicsPin {
  explicit IntrinsicsPin(bool on) : saved(kernels::IntrinsicsEnabled()) { kernels::SetIntrinsicsEnabled(on); }
  ~IntrinsicsPin() { kernels::SetIntrinsicsEnabled(saved); }
  bool saved;
};

// Runs fn(target_name) once per compiled-and-supported target, pinned.
template <class F>
void ForEachTarget(F&& fn) {
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  REQUIRE(!targets.empty());
  for (int64_t t : targets) {
    TargetPin pin(t);
    const std::string name = hwy::TargetName(t);
    INFO("target " << name);
    REQUIRE(std::string(kernels::TargetName()) == name);  // the pin reaches the kernels
    fn(name);
  }
}

}  // namespace ecgr1::test
