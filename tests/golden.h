// golden.h — access to the golden config-A reference data in tests/data/golden_a
// (copied from shared/golden; see tests/data/README.md).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/mapped_file.h"
#include "engine/model.h"
#include "io/safetensors.h"
#include "text/prompt.h"

namespace ecgr1::test {

inline std::string DataDir() {
  const char* env = std::getenv("ECGR1_TEST_DATA");
  return env != nullptr && *env ? env : ECGR1_TEST_DATA;
}
inline std::string GoldenDir() { return DataDir() + "/golden_a"; }

inline const nlohmann::json& Manifest() {
  static const nlohmann::json m =
      nlohmann::json::parse(ReadSmallFile(GoldenDir() + "/manifest.json", ExitCode::kBadInput));
  return m;
}

// One case file (cases/<name>.safetensors) with typed accessors.
class GoldenCase {
 public:
  explicit GoldenCase(const std::string& name)
      : name_(name), file_(GoldenDir() + "/cases/" + name + ".safetensors") {}
  const nlohmann::json& manifest() const { return Manifest()["cases"][name_]; }
  const TensorView& Get(const std::string& t) const {
    const TensorView* v = file_.Find(t);
    if (v == nullptr) throw std::runtime_error("golden case " + name_ + " has no " + t);
    return *v;
  }
  std::vector<float> F32(const std::string& t) const {
    const TensorView& v = Get(t);
    std::vector<float> out(v.numel());
    std::memcpy(out.data(), v.data, out.size() * 4);
    return out;
  }
  std::vector<int64_t> I64(const std::string& t) const {
    const TensorView& v = Get(t);
    std::vector<int64_t> out(v.numel());
    std::memcpy(out.data(), v.data, out.size() * 8);
    return out;
  }

 private:
  std::string name_;
  SafetensorsFile file_;
};

// Largest absolute difference between two float arrays of equal length.
inline double MaxAbsDiff(const float* a, const float* b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(static_cast<double>(a[i]) - b[i]));
  return m;
}

// The golden checkpoint converted once per test process, in each weight type
// (f32, bf16, q8 or q4).
const Model& GoldenModel(DType type);

// The messages of a golden case, as a conversation.
std::vector<ChatMessage> CaseMessages(const nlohmann::json& case_manifest);

}  // namespace ecgr1::test
