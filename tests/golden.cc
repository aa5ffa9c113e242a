// golden.cc — the converted golden model shared by the golden tests.
#include "golden.h"

#include <cstdio>

#include "convert/convert.h"
#include "test_util.h"

namespace ecgr1::test {

// The golden checkpoint converted once per test run, in each weight type.
const Model& GoldenModel(DType type) {
  static std::unique_ptr<Model> models[2];
  static TempDir dir;
  const int k = type == DType::kF32 ? 0 : 1;
  if (!models[k]) {
    const std::string path = dir.path + (k == 0 ? "/golden_f32.ecgr1" : "/golden_bf16.ecgr1");
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
