// Tests of the safetensors reader: the real golden checkpoint and case files,
// then one hand-made broken file per validation rule. Every broken input must
// throw ecgr1::Error(kBadModel) with a message naming the file.
#include <catch2/catch.hpp>

#include "require_error.h"

#include "test_util.h"

#include <stdlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "io/safetensors.h"

namespace fs = std::filesystem;
using ecgr1::Error;
using ecgr1::ExitCode;

using ecgr1::test::ReadAll;
using ecgr1::test::TempDir;
using ecgr1::test::WriteAll;

namespace {

const std::string kData = ECGR1_TEST_DATA;

std::string U64Le(uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }

// A safetensors file: 8-byte length, `header` text, `data_bytes` bytes of data.
std::string Safetensors(const std::string& header, size_t data_bytes) {
  std::string data(data_bytes, '\0');
  for (size_t i = 0; i < data_bytes; ++i) data[i] = static_cast<char>(i * 7 + 1);
  return U64Le(header.size()) + header + data;
}

// Runs `fn`, requires it to throw Error(kBadModel) whose message contains
// `needle` (a file name) and, if given, `what` (the problem).
void RequireBadModel(const std::function<void()>& fn, const std::string& needle, const std::string& what = "") {
  ecgr1::test::RequireError(fn, ExitCode::kBadModel, {needle, what});
}

// Writes `bytes` as NAME in a temp dir and requires that opening it fails.
void RequireBadFile(const std::string& bytes, const std::string& what = "") {
  TempDir dir;
  const std::string path = dir.File("bad.safetensors");
  WriteAll(path, bytes);
  RequireBadModel([&] { ecgr1::SafetensorsFile f(path); }, path, what);
}

const char* kT = R"("t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";

}  // namespace

TEST_CASE("golden checkpoint: two shards through the index", "[safetensors]") {
  ecgr1::SafetensorsCheckpoint ck(kData + "/golden_a/model");
  CHECK(ck.size() == 158);  // 157 in shard 1, 1 in shard 2 (counted from the index)
  const std::vector<std::string> names = ck.Names();
  REQUIRE(names.size() == 158);
  CHECK(std::is_sorted(names.begin(), names.end()));

  const ecgr1::TensorView* emb = ck.Find("model.language_model.embed_tokens.weight");
  REQUIRE(emb != nullptr);
  CHECK(emb->dtype == ecgr1::DType::kBF16);
  CHECK(emb->shape == std::vector<uint64_t>{151672, 64});
  CHECK(emb->nbytes == 151672ull * 64 * 2);
  CHECK(ck.ShardOf("model.language_model.embed_tokens.weight") == "model-00001-of-00002.safetensors");
  CHECK(ck.Find("no.such.tensor") == nullptr);
  CHECK(ck.ShardOf("no.such.tensor").empty());

  // Exactly one tensor lives in shard 2; the bytes add up to the index's total_size.
  uint64_t total = 0;
  int in_second = 0;
  for (const std::string& n : names) {
    const ecgr1::TensorView* t = ck.Find(n);
    REQUIRE(t != nullptr);
    CHECK(t->dtype == ecgr1::DType::kBF16);
    CHECK(t->nbytes == t->numel() * 2);
    total += t->nbytes;
    if (ck.ShardOf(n) == "model-00002-of-00002.safetensors") ++in_second;
  }
  CHECK(in_second == 1);
  CHECK(total == 39601984);
}

TEST_CASE("golden case file: F32 and I64 tensors, metadata", "[safetensors]") {
  ecgr1::SafetensorsFile f(kData + "/golden_a/cases/text_only.safetensors");
  CHECK(f.tensors().size() == 26);
  int f32 = 0, i64 = 0;
  uint64_t prev_end = 0;
  for (const ecgr1::TensorView& t : f.tensors()) {
    if (t.dtype == ecgr1::DType::kF32) ++f32;
    if (t.dtype == ecgr1::DType::kI64) ++i64;
    // tensors() is in data order and contiguous
    const uint64_t begin = static_cast<uint64_t>(t.data - f.tensors()[0].data);
    CHECK(begin == prev_end);
    prev_end = begin + t.nbytes;
  }
  CHECK(f32 == 17);
  CHECK(i64 == 9);
  const ecgr1::TensorView* logits = f.Find("gen_last_step_logits");
  REQUIRE(logits != nullptr);
  CHECK(logits->dtype == ecgr1::DType::kF32);
  CHECK(logits->shape == std::vector<uint64_t>{151672});
  const ecgr1::TensorView* hidden = f.Find("final_hidden");
  REQUIRE(hidden != nullptr);
  CHECK(hidden->shape == std::vector<uint64_t>{42, 64});
  CHECK(f.metadata().at("format") == "pt");
}

TEST_CASE("hand-made file: data, scalars, zero-size tensors, metadata", "[safetensors]") {
  TempDir dir;
  const std::string path = dir.File("ok.safetensors");
  // Keys deliberately not in offset order; an empty tensor at offset 8.
  const std::string header =
      R"({"b":{"dtype":"I64","shape":[],"data_offsets":[8,16]},)"
      R"("e":{"dtype":"BF16","shape":[0,5],"data_offsets":[8,8]},)"
      R"("a":{"dtype":"U8","shape":[2,4],"data_offsets":[0,8]},)"
      R"("__metadata__":{"format":"pt","x":"y"}}   )";  // trailing spaces are allowed padding
  WriteAll(path, Safetensors(header, 16));
  ecgr1::SafetensorsFile f(path);
  REQUIRE(f.tensors().size() == 3);
  CHECK(f.tensors()[0].name == "a");
  CHECK(f.tensors()[1].name == "e");
  CHECK(f.tensors()[2].name == "b");
  const ecgr1::TensorView* a = f.Find("a");
  REQUIRE(a != nullptr);
  CHECK(a->data[0] == 1);
  CHECK(a->data[1] == 8);
  const ecgr1::TensorView* b = f.Find("b");
  CHECK(b->shape.empty());
  CHECK(b->numel() == 1);
  CHECK(b->data[0] == static_cast<uint8_t>(8 * 7 + 1));
  CHECK(f.Find("e")->nbytes == 0);
  CHECK(f.metadata().size() == 2);
  CHECK(f.metadata().at("x") == "y");
}

TEST_CASE("broken safetensors files are refused with the file name", "[safetensors]") {
  SECTION("empty / truncated length") { RequireBadFile(std::string("\x10\x00\x00", 3), "too short"); }
  SECTION("header length past end of file") {
    RequireBadFile(U64Le(1000) + "{}", "exceeds");
  }
  SECTION("header length over 100 MB") { RequireBadFile(U64Le(200000000) + "{}", "100 MB"); }
  SECTION("header length 2^64-1") { RequireBadFile(U64Le(~0ull) + "{}", "100 MB"); }
  SECTION("not JSON") { RequireBadFile(Safetensors("hello there", 0), "invalid JSON"); }
  SECTION("truncated JSON") { RequireBadFile(Safetensors(R"({"t":{"dtype":"F32")", 0), "invalid JSON"); }
  SECTION("invalid UTF-8 in a name") {
    RequireBadFile(Safetensors("{\"t\xff\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                   "invalid JSON");
  }
  SECTION("not an object") { RequireBadFile(Safetensors("[1,2,3]", 0), "not a JSON object"); }
  SECTION("duplicate tensor name") {
    RequireBadFile(Safetensors(std::string("{") + kT + "," + kT + "}", 8), "duplicate");
  }
  SECTION("duplicate key inside an entry") {
    RequireBadFile(Safetensors(R"({"t":{"dtype":"F32","dtype":"I32","shape":[2],"data_offsets":[0,8]}})", 8),
                   "duplicate");
  }
  SECTION("unknown dtype") {
    RequireBadFile(Safetensors(R"({"t":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", 2),
                   "unsupported dtype");
    RequireBadFile(Safetensors(R"({"t":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}})", 4),
                   "unsupported dtype");
    RequireBadFile(Safetensors(R"({"t":{"dtype":7,"shape":[2],"data_offsets":[0,4]}})", 4), "dtype");
  }
  SECTION("missing fields") {
    RequireBadFile(Safetensors(R"({"t":{"dtype":"F32","data_offsets":[0,8]}})", 8), "shape");
    RequireBadFile(Safetensors(R"({"t":{"dtype":"F32","shape":[2]}})", 8), "data_offsets");
    RequireBadFile(Safetensors(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8), "data_offsets");
    RequireBadFile(Safetensors(R"({"t":5})", 8), "not a JSON object");
  }
  SECTION("negative or fractional shape") {
    RequireBadFile(Safetensors(R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8), "shape");
    RequireBadFile(Safetensors(R"({"t":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8), "shape");
  }
  SECTION("overlapping offsets") {
    RequireBadFile(Safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                               12),
                   "overlaps");
  }
  SECTION("gap between tensors") {
    RequireBadFile(Safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                               12),
                   "gap");
  }
  SECTION("first tensor not at offset 0") {
    RequireBadFile(Safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), "gap");
  }
  SECTION("trailing bytes") { RequireBadFile(Safetensors(std::string("{") + kT + "}", 12), "trailing"); }
  SECTION("data truncated") { RequireBadFile(Safetensors(std::string("{") + kT + "}", 6), "truncated"); }
  SECTION("end before begin") {
    RequireBadFile(Safetensors(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})", 8), "end");
  }
  SECTION("shape and byte range disagree") {
    RequireBadFile(Safetensors(R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "needs 12 bytes");
  }
  SECTION("shape product overflows") {
    RequireBadFile(Safetensors(R"({"t":{"dtype":"F32","shape":[1099511627776,1099511627776],)"
                               R"("data_offsets":[0,8]}})",
                               8),
                   "overflows");
    // numel fits, numel x 8 bytes does not
    RequireBadFile(Safetensors(R"({"t":{"dtype":"I64","shape":[4611686018427387904],"data_offsets":[0,8]}})", 8),
                   "overflows");
  }
  SECTION("offset beyond 64 bits") {
    RequireBadFile(Safetensors(R"({"t":{"dtype":"U8","shape":[0],"data_offsets":[0,18446744073709551616]}})", 0),
                   "data_offsets");
  }
  SECTION("bad __metadata__") {
    RequireBadFile(Safetensors(std::string(R"({"__metadata__":{"a":1},)") + kT + "}", 8), "__metadata__");
    RequireBadFile(Safetensors(std::string(R"({"__metadata__":[1],)") + kT + "}", 8), "__metadata__");
  }
}

TEST_CASE("strict JSON parse catches nested duplicate keys", "[safetensors]") {
  const std::string ok = R"({"a":{"x":1,"y":[{"x":2},{"x":3}]},"b":{"x":1}})";
  CHECK_NOTHROW(ecgr1::ParseJson(ok.data(), ok.size(), "ok.json", ExitCode::kBadModel));
  const std::string bad = R"({"a":{"x":1,"y":[{"x":2,"x":3}]}})";
  RequireBadModel([&] { ecgr1::ParseJson(bad.data(), bad.size(), "bad.json", ExitCode::kBadModel); },
                  "bad.json", "'x'");
  // Nesting deep enough to overflow a recursive walk is refused up front.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  RequireBadModel([&] { ecgr1::ParseJson(deep.data(), deep.size(), "deep.json", ExitCode::kBadModel); },
                  "deep.json", "nested deeper");
}

namespace {

// A tiny valid shard holding the named F32 [1] tensors.
std::string Shard(const std::vector<std::string>& names) {
  std::string h = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) h += ",";
    h += "\"" + names[i] + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" + std::to_string(4 * i) + "," +
         std::to_string(4 * i + 4) + "]}";
  }
  return Safetensors(h + "}", 4 * names.size());
}

void RequireBadCheckpoint(const TempDir& dir, const std::string& what) {
  RequireBadModel([&] { ecgr1::SafetensorsCheckpoint ck(dir.path); }, "model.safetensors.index.json", what);
}

}  // namespace

TEST_CASE("sharded checkpoints: index rules", "[safetensors]") {
  TempDir dir;
  WriteAll(dir.File("s1.safetensors"), Shard({"a", "b"}));
  WriteAll(dir.File("s2.safetensors"), Shard({"c"}));
  const std::string index = dir.File("model.safetensors.index.json");

  SECTION("a good index") {
    WriteAll(index, R"({"metadata":{"total_size":12},"weight_map":)"
                      R"({"a":"s1.safetensors","b":"s1.safetensors","c":"s2.safetensors"}})");
    ecgr1::SafetensorsCheckpoint ck(dir.path);
    CHECK(ck.size() == 3);
    CHECK(ck.Names() == std::vector<std::string>{"a", "b", "c"});
    CHECK(ck.ShardOf("c") == "s2.safetensors");
    REQUIRE(ck.Find("b") != nullptr);
    CHECK(ck.Find("b")->nbytes == 4);
  }
  SECTION("index names a missing shard") {
    WriteAll(index, R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors","c":"s3.safetensors"}})");
    RequireBadCheckpoint(dir, "does not exist");
  }
  SECTION("shard path escapes the folder") {
    WriteAll(index, R"({"weight_map":{"a":"../x.safetensors"}})");
    RequireBadCheckpoint(dir, "plain file name");
    WriteAll(index, R"({"weight_map":{"a":"/etc/x.safetensors"}})");
    RequireBadCheckpoint(dir, "plain file name");
    WriteAll(index, R"({"weight_map":{"a":"sub/x.safetensors"}})");
    RequireBadCheckpoint(dir, "plain file name");
    WriteAll(index, R"({"weight_map":{"a":".."}})");
    RequireBadCheckpoint(dir, "plain file name");
  }
  SECTION("tensor in two shards") {
    WriteAll(dir.File("s2.safetensors"), Shard({"b", "c"}));
    WriteAll(index, R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors","c":"s2.safetensors"}})");
    RequireBadCheckpoint(dir, "two shards");
  }
  SECTION("tensor listed twice in the index") {
    WriteAll(index, R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors","c":"s2.safetensors",)"
                      R"("b":"s2.safetensors"}})");
    RequireBadCheckpoint(dir, "duplicate");
  }
  SECTION("index maps a tensor to a shard that lacks it") {
    WriteAll(index, R"({"weight_map":{"a":"s1.safetensors","b":"s2.safetensors","c":"s2.safetensors"}})");
    RequireBadCheckpoint(dir, "does not contain");
  }
  SECTION("shard holds a tensor the index does not list") {
    WriteAll(index, R"({"weight_map":{"a":"s1.safetensors","c":"s2.safetensors"}})");
    RequireBadCheckpoint(dir, "does not list");
  }
  SECTION("index is not JSON / has no weight_map / wrong types") {
    WriteAll(index, "not json");
    RequireBadCheckpoint(dir, "invalid JSON");
    WriteAll(index, R"({"metadata":{}})");
    RequireBadCheckpoint(dir, "weight_map");
    WriteAll(index, R"({"weight_map":{}})");
    RequireBadCheckpoint(dir, "no tensors");
    WriteAll(index, R"({"weight_map":{"a":1}})");
    RequireBadCheckpoint(dir, "not a string");
  }
  SECTION("a broken shard is reported with the shard's name") {
    WriteAll(dir.File("s2.safetensors"), "garbage");
    WriteAll(index, R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors","c":"s2.safetensors"}})");
    RequireBadModel([&] { ecgr1::SafetensorsCheckpoint ck(dir.path); }, "s2.safetensors");
  }
}

TEST_CASE("single-file checkpoints and empty folders", "[safetensors]") {
  TempDir dir;
  RequireBadModel([&] { ecgr1::SafetensorsCheckpoint ck(dir.path); }, dir.path,
                  "no model.safetensors or model.safetensors.index.json");
  RequireBadModel([&] { ecgr1::SafetensorsCheckpoint ck(dir.File("missing")); }, dir.File("missing"),
                  "not a directory");
  WriteAll(dir.File("model.safetensors"), Shard({"x", "y"}));
  ecgr1::SafetensorsCheckpoint ck(dir.path);
  CHECK(ck.size() == 2);
  CHECK(ck.ShardOf("y") == "model.safetensors");
}
