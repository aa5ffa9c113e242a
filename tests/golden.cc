// golden.cc — the converted golden model shared by the golden tests.
#include "golden.h"

#include <cstdio>

#include "convert/convert.h"
#include "test_util.h"

namespace ecgr1::test {

// The golden checkpoint converted once per test run, in each weight type
// (f32, bf16, q8, q4).
const Model& GoldenModel(DType type) {
  static std::unique_ptr<Model> models[4];
  static TempDir dir;
  const int k = type == DType::kF32 ? 0 : type == DType::kBF16 ? 1 : type == DType::kQ8 ? 2 : 3;
  if (type != DType::kF32 && type != DType::kBF16 && type != DType::kQ8 && type != DType::kQ4)
    throw std::runtime_error("GoldenModel: no golden model in this type");
  if (!models[k]) {
    const std::string path = dir.path + "/golden_" + Info(type).name + ".ecgr1";
    ConvertOptions opt;
    opt.type = type;
    ConvertCheckpoint(GoldenDir() + "/model", path, opt);
    models[k] = std::make_unique<Model>(path);
    std::remove(path.c_str());  // the mapping stays valid
  }
  return *models[k];
}

std::vector<ChatMessage> CaseMessages(const nlohmann::json& m) {
  return ParseMessagesJson(nlohmann::json{{"messages", m["messages"]}}.dump(), "manifest");
}

}  // namespace ecgr1::test
