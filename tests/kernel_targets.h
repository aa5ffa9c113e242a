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

// Caps the kernels at an instruction-set level for a scope.
struct IsaPin {
  explicit IsaPin(kernels::Isa isa) : saved(kernels::MaxIsa()) { kernels::SetMaxIsa(isa); }
  ~IsaPin() { kernels::SetMaxIsa(saved); }
  kernels::Isa saved;
};

// The instruction-set levels of this architecture that this CPU supports,
// lowest first.
inline std::vector<kernels::Isa> CpuIsaLevels() {
  std::vector<kernels::Isa> levels;
  for (int i = 0; i <= static_cast<int>(kernels::Isa::kDotprod); ++i) {
    const auto isa = static_cast<kernels::Isa>(i);
    kernels::Isa parsed;
    if (kernels::ParseIsa(kernels::IsaName(isa), &parsed) && i <= static_cast<int>(kernels::CpuIsa()))
      levels.push_back(isa);
  }
  return levels;
}

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
