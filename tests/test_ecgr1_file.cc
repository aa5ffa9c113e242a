// Tests of the .ecgr1 writer and reader (weights/FORMAT.md): a round trip,
// then damaged files — truncated at many lengths, patched header and directory
// fields, every header/directory byte flipped — which must all be refused with
// ecgr1::Error(kBadModel) and never crash; and a failing write that must leave
// nothing behind.
#include <catch2/catch.hpp>

#include "test_util.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/error.h"
#include "format/ecgr1_file.h"

namespace fs = std::filesystem;
using ecgr1::DType;
using ecgr1::Ecgr1File;
using ecgr1::Error;
using ecgr1::ExitCode;

using ecgr1::test::ReadAll;
using ecgr1::test::TempDir;
using ecgr1::test::WriteAll;

namespace {

uint64_t GetU64(const std::string& b, size_t at) {
  uint64_t v;
  std::memcpy(&v, b.data() + at, 8);
  return v;
}
uint32_t GetU32(const std::string& b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}
void SetU64(std::string* b, size_t at, uint64_t v) { std::memcpy(&(*b)[at], &v, 8); }
void SetU32(std::string* b, size_t at, uint32_t v) { std::memcpy(&(*b)[at], &v, 4); }

// Header field positions (FORMAT.md, "Fixed header").
constexpr size_t kMajorAt = 8, kDirOffsetAt = 32, kDirSizeAt = 40, kCountAt = 48, kDataOffsetAt = 56;

// Byte-exact contents of the three test tensors.
std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 13);
  return v;
}

ecgr1::Ecgr1TensorSpec Spec(const std::string& name, DType dt, std::vector<uint64_t> shape, size_t nbytes,
                            uint8_t seed, int* calls = nullptr) {
  ecgr1::Ecgr1TensorSpec s;
  s.name = name;
  s.dtype = dt;
  s.shape = std::move(shape);
  s.fill = [nbytes, seed, calls](uint8_t* dst, uint64_t n) {
    REQUIRE(n == nbytes);
    const std::vector<uint8_t> p = Pattern(nbytes, seed);
    if (n > 0) std::memcpy(dst, p.data(), n);
    if (calls) ++*calls;
  };
  return s;
}

nlohmann::json TestMetadata() {
  return {{"format", "ecgr1"},
          {"config", {{"hidden_size", 64}, {"name", "tiny"}}},
          {"tokenizer", {{"vocab", {{"héllo", 0}, {"Ġworld", 1}, {"心电图", 2}}}, {"merges", {"h é", "Ġ w"}}}},
          {"provenance", {{"source", "unit test"}}}};
}

// f32 [2,3], bf16 [5] (10 bytes, so the next tensor needs padding), i64 [4].
std::vector<ecgr1::Ecgr1TensorSpec> TestTensors(int* calls = nullptr) {
  return {Spec("w.f32", DType::kF32, {2, 3}, 24, 1, calls), Spec("w.bf16", DType::kBF16, {5}, 10, 2, calls),
          Spec("ids", DType::kI64, {4}, 32, 3, calls)};
}

// Writes the test file and returns its bytes.
std::string GoodFileBytes(const TempDir& dir) {
  const std::string path = dir.File("good.ecgr1");
  ecgr1::WriteEcgr1(path, TestMetadata(), TestTensors());
  return ReadAll(path);
}

// Opening `bytes` as a file must throw Error(kBadModel) naming the file and,
// if given, containing `what`.
void RequireBad(const TempDir& dir, const std::string& bytes, const std::string& what = "") {
  const std::string path = dir.File("bad.ecgr1");
  WriteAll(path, bytes);
  try {
    Ecgr1File f(path);
  } catch (const Error& e) {
    INFO("message: " << e.what());
    CHECK(e.code() == ExitCode::kBadModel);
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    if (!what.empty()) CHECK(std::string(e.what()).find(what) != std::string::npos);
    return;
  }
  FAIL("opening a damaged file did not throw (expected: " << what << ")");
}

// Position of the first directory entry's offset field (name "w.f32", ndim 2).
size_t FirstOffsetField(const std::string& b) {
  const size_t entry = GetU64(b, kDirOffsetAt);
  const uint32_t name_len = GetU32(b, entry);
  const uint32_t ndim = GetU32(b, entry + 4 + name_len + 4);
  return entry + 4 + name_len + 4 + 4 + 8 * ndim;
}

}  // namespace

TEST_CASE("round trip: metadata, tensors, bytes, alignment", "[ecgr1file]") {
  TempDir dir;
  const std::string path = dir.File("m.ecgr1");
  int calls = 0;
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  ecgr1::WriteEcgr1(path, TestMetadata(), TestTensors(&calls),
                    [&](uint64_t done, uint64_t total) { progress.emplace_back(done, total); });
  CHECK(calls == 3);  // each fill() exactly once
  REQUIRE(!progress.empty());
  CHECK(progress.front().first == 0);
  CHECK(progress.back().first == 24 + 10 + 32);
  CHECK(progress.back().second == 24 + 10 + 32);
  for (size_t i = 1; i < progress.size(); ++i) CHECK(progress[i].first >= progress[i - 1].first);
  CHECK(!fs::exists(path + ".tmp." + std::to_string(getpid())));

  Ecgr1File f(path);
  CHECK(f.version_major() == 1);
  CHECK(f.version_minor() == 1);  // 1.1: q8 and q4
  CHECK(f.metadata() == TestMetadata());
  CHECK(f.file_size() == fs::file_size(path));
  CHECK(f.file_size() % 64 == 0);
  REQUIRE(f.tensors().size() == 3);
  CHECK(f.tensors()[0].name == "w.f32");
  CHECK(f.tensors()[1].name == "w.bf16");
  CHECK(f.tensors()[2].name == "ids");

  const struct { const char* name; DType dt; std::vector<uint64_t> shape; size_t nbytes; uint8_t seed; } want[] = {
      {"w.f32", DType::kF32, {2, 3}, 24, 1}, {"w.bf16", DType::kBF16, {5}, 10, 2}, {"ids", DType::kI64, {4}, 32, 3}};
  for (const auto& w : want) {
    const ecgr1::TensorView* t = f.Find(w.name);
    REQUIRE(t != nullptr);
    CHECK(t->dtype == w.dt);
    CHECK(t->shape == w.shape);
    CHECK(t->nbytes == w.nbytes);
    CHECK(reinterpret_cast<uintptr_t>(t->data) % ecgr1::kEcgr1Alignment == 0);
    CHECK(std::vector<uint8_t>(t->data, t->data + t->nbytes) == Pattern(w.nbytes, w.seed));
  }
  CHECK(f.Find("missing") == nullptr);
  f.Prefetch();  // must not crash
}

TEST_CASE("empty model and zero-size tensors round trip", "[ecgr1file]") {
  TempDir dir;
  const std::string path = dir.File("e.ecgr1");
  ecgr1::WriteEcgr1(path, nlohmann::json::object(), {});
  Ecgr1File empty(path);
  CHECK(empty.tensors().empty());
  CHECK(empty.metadata().empty());

  ecgr1::WriteEcgr1(path, {{"a", 1}},
                    {Spec("z", DType::kF32, {0, 7}, 0, 0), Spec("s", DType::kU8, {3}, 3, 9),
                     Spec("z2", DType::kBool, {0}, 0, 0), Spec("scalar", DType::kF64, {}, 8, 4)});
  Ecgr1File f(path);
  REQUIRE(f.tensors().size() == 4);
  CHECK(f.Find("z")->nbytes == 0);
  CHECK(f.Find("z2")->nbytes == 0);
  CHECK(f.Find("scalar")->shape.empty());
  CHECK(std::vector<uint8_t>(f.Find("scalar")->data, f.Find("scalar")->data + 8) == Pattern(8, 4));
}

TEST_CASE("truncated files are refused, never crash", "[ecgr1file]") {
  TempDir dir;
  const std::string good = GoodFileBytes(dir);
  std::vector<size_t> lengths;
  for (size_t k = 0; k < good.size(); k += 37) lengths.push_back(k);
  for (size_t k : {size_t{1}, size_t{7}, size_t{8}, size_t{15}, size_t{127}, size_t{128}, good.size() - 1})
    lengths.push_back(k);
  for (size_t k : lengths) {
    INFO("truncated to " << k << " of " << good.size() << " bytes");
    RequireBad(dir, good.substr(0, k));
  }
  // A byte appended is refused too (the data section must end the file).
  RequireBad(dir, good + std::string(1, '\0'), "file is");
}

TEST_CASE("damaged header fields are refused with clear messages", "[ecgr1file]") {
  TempDir dir;
  const std::string good = GoodFileBytes(dir);

  SECTION("bad magic") {
    std::string b = good;
    b[0] = 'X';
    RequireBad(dir, b, "bad magic");
  }
  SECTION("newer major version") {
    std::string b = good;
    SetU32(&b, kMajorAt, 2);
    RequireBad(dir, b, "newer");
  }
  SECTION("newer minor version is accepted") {
    std::string b = good;
    SetU32(&b, kMajorAt + 4, 7);
    WriteAll(dir.File("minor.ecgr1"), b);
    Ecgr1File f(dir.File("minor.ecgr1"));
    CHECK(f.version_minor() == 7);
    CHECK(f.tensors().size() == 3);
  }
  SECTION("huge tensor count") {
    std::string b = good;
    SetU64(&b, kCountAt, uint64_t{1} << 60);
    RequireBad(dir, b, "tensor count");
    SetU64(&b, kCountAt, ~uint64_t{0});
    RequireBad(dir, b, "tensor count");
  }
  SECTION("tensor count one too small leaves directory bytes over") {
    std::string b = good;
    SetU64(&b, kCountAt, 2);
    RequireBad(dir, b, "left over");
  }
  SECTION("directory size running past the file") {
    std::string b = good;
    SetU64(&b, kDirSizeAt, ~uint64_t{0} - 100);
    RequireBad(dir, b, "directory");
  }
  SECTION("misaligned data section") {
    std::string b = good;
    SetU64(&b, kDataOffsetAt, GetU64(good, kDataOffsetAt) - 8);
    SetU64(&b, kDataOffsetAt + 8, GetU64(good, kDataOffsetAt + 8) + 8);
    RequireBad(dir, b, "multiple of 64");
  }
  SECTION("metadata that is not JSON") {
    std::string b = good;
    b[128] = '\xff';  // first byte of the metadata text
    RequireBad(dir, b, "metadata");
  }
}

TEST_CASE("damaged directory entries are refused", "[ecgr1file]") {
  TempDir dir;
  const std::string good = GoodFileBytes(dir);
  const size_t off_at = FirstOffsetField(good);
  REQUIRE(GetU64(good, off_at) == 0);          // the first tensor starts the data section
  REQUIRE(GetU64(good, off_at + 8) == 24);     // f32 [2,3]

  SECTION("offset not aligned") {
    std::string b = good;
    SetU64(&b, off_at, 8);
    RequireBad(dir, b, "multiple of 64");
  }
  SECTION("offset past the data section") {
    std::string b = good;
    SetU64(&b, off_at, uint64_t{1} << 40);
    RequireBad(dir, b, "past");
    SetU64(&b, off_at, ~uint64_t{63});  // offset + nbytes overflows
    RequireBad(dir, b, "past");
  }
  SECTION("overlapping tensors") {
    // Move the first tensor onto the second (offset 64): the second now overlaps it.
    std::string b = good;
    SetU64(&b, off_at, 64);
    RequireBad(dir, b, "overlaps");
  }
  SECTION("nbytes disagrees with the shape") {
    std::string b = good;
    SetU64(&b, off_at + 8, 28);
    RequireBad(dir, b, "needs 24 bytes");
  }
  SECTION("shape product overflows") {
    std::string b = good;
    SetU64(&b, off_at - 16, uint64_t{1} << 40);  // shape = [2^40, 2^40]
    SetU64(&b, off_at - 8, uint64_t{1} << 40);
    RequireBad(dir, b, "overflows");
  }
  SECTION("unknown and reserved dtype codes") {
    const size_t entry = GetU64(good, kDirOffsetAt);
    const size_t dtype_at = entry + 4 + GetU32(good, entry);
    std::string b = good;
    SetU32(&b, dtype_at, 18);  // reserved for block-quantized types (16 = q8, 17 = q4 exist)
    RequireBad(dir, b, "block-quantized");
    SetU32(&b, dtype_at, 1000);
    RequireBad(dir, b, "unknown dtype code 1000");
  }
  SECTION("too many dimensions") {
    const size_t entry = GetU64(good, kDirOffsetAt);
    std::string b = good;
    SetU32(&b, entry + 4 + GetU32(good, entry) + 4, 9);
    RequireBad(dir, b, "dimensions");
  }
  SECTION("name length past the directory") {
    const size_t entry = GetU64(good, kDirOffsetAt);
    std::string b = good;
    SetU32(&b, entry, 0xFFFFFFFFu);
    RequireBad(dir, b, "name length");
    SetU32(&b, entry, 0);
    RequireBad(dir, b, "name length");
  }
  SECTION("duplicate names") {
    // Make a file whose names differ in one byte, then patch them equal.
    const std::string path = dir.File("dup.ecgr1");
    ecgr1::WriteEcgr1(path, TestMetadata(),
                      {Spec("n1", DType::kU8, {4}, 4, 1), Spec("n2", DType::kU8, {4}, 4, 2)});
    std::string b = ReadAll(path);
    const size_t pos = b.find("n2", GetU64(b, kDirOffsetAt));
    REQUIRE(pos != std::string::npos);
    b[pos + 1] = '1';
    RequireBad(dir, b, "twice");
  }
}

// Position of the directory entry of tensor `name` and of its fields.
struct EntryFields {
  size_t dtype, ndim, dims, offset, nbytes;
};
EntryFields FindEntry(const std::string& b, const std::string& name) {
  size_t at = GetU64(b, kDirOffsetAt);
  for (uint64_t i = 0; i < GetU64(b, kCountAt); ++i) {
    const uint32_t len = GetU32(b, at);
    const size_t dtype = at + 4 + len, ndim = dtype + 4, dims = ndim + 4;
    const size_t offset = dims + 8 * GetU32(b, ndim);
    if (b.compare(at + 4, len, name) == 0) return {dtype, ndim, dims, offset, offset + 8};
    at = offset + 16;
  }
  throw std::runtime_error("no entry " + name);
}

TEST_CASE("quantized tensors: sizes must follow shape and block size", "[ecgr1file][quant]") {
  TempDir dir;
  // q8 [17, 64]: 2 row groups (16 rows each, the last padded) x 2 blocks x 544
  // bytes; q4 [16, 32]: 1 x 1 x 288; u8 [2, 16, 64]: 2048 bytes.
  const std::string path = dir.File("q.ecgr1");
  ecgr1::WriteEcgr1(path, TestMetadata(),
                    {Spec("w.q8", DType::kQ8, {17, 64}, 2176, 1), Spec("w.q4", DType::kQ4, {16, 32}, 288, 2),
                     Spec("cube", DType::kU8, {2, 16, 64}, 2048, 3)});
  const std::string good = ReadAll(path);
  {
    Ecgr1File f(path);
    CHECK(f.Find("w.q8")->nbytes == 2176);
    CHECK(f.Find("w.q4")->nbytes == 288);
    CHECK(std::vector<uint8_t>(f.Find("w.q4")->data, f.Find("w.q4")->data + 288) == Pattern(288, 2));
  }
  const EntryFields q8 = FindEntry(good, "w.q8"), q4 = FindEntry(good, "w.q4"), cube = FindEntry(good, "cube");
  REQUIRE(GetU64(good, q8.nbytes) == 2176);

  SECTION("nbytes disagrees with the shape and block size") {
    std::string b = good;
    SetU64(&b, q8.nbytes, 17 * 64 + 17 * 2 * 2);  // unpadded codes + scales: not the tiled size
    RequireBad(dir, b, "w.q8': shape [17, 64] of q8 needs 2176 bytes but the directory says 1156");
    b = good;
    SetU64(&b, q4.nbytes, 544);  // the q8 size of the same shape
    RequireBad(dir, b, "needs 288 bytes");
  }
  SECTION("rows that are not whole 32-weight blocks") {
    std::string b = good;
    SetU64(&b, q8.dims + 8, 48);  // [17, 48]
    RequireBad(dir, b, "shape [17, 48] does not fit type q8: rows are not whole 32-weight blocks");
  }
  SECTION("a quantized tensor that is not 2-D") {
    std::string b = good;
    SetU32(&b, cube.dtype, 16);  // u8 [2, 16, 64] relabelled q8
    RequireBad(dir, b, "'cube': shape [2, 16, 64] does not fit type q8: a q8 tensor must have 2 dimensions");
    SetU32(&b, cube.dtype, 17);
    RequireBad(dir, b, "a q4 tensor must have 2 dimensions");
  }
  SECTION("the writer refuses them too") {
    const std::string out = dir.File("bad.ecgr1");
    CHECK_THROWS_WITH(ecgr1::WriteEcgr1(out, TestMetadata(), {Spec("x", DType::kQ8, {16, 48}, 0, 0)}),
                      Catch::Contains("rows are not whole 32-weight blocks"));
    CHECK_THROWS_WITH(ecgr1::WriteEcgr1(out, TestMetadata(), {Spec("x", DType::kQ4, {2, 16, 64}, 0, 0)}),
                      Catch::Contains("must have 2 dimensions"));
    CHECK(!fs::exists(out));
  }
}

TEST_CASE("the mapped writer writes the same bytes and leaves nothing behind", "[ecgr1file]") {
  TempDir dir;
  const std::string a = dir.File("a.ecgr1"), b = dir.File("b.ecgr1");
  int calls = 0;
  std::vector<uint64_t> done;
  ecgr1::WriteEcgr1(a, TestMetadata(), TestTensors());
  ecgr1::WriteEcgr1Mapped(b, TestMetadata(), TestTensors(&calls), [&](uint64_t d, uint64_t) { done.push_back(d); });
  CHECK(calls == 3);
  CHECK(done.back() == 24 + 10 + 32);
  CHECK(ReadAll(a) == ReadAll(b));
  CHECK(Ecgr1File(b).tensors().size() == 3);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 2);
  ecgr1::WriteEcgr1Mapped(b, {{"a", 1}}, {Spec("z", DType::kF32, {0, 7}, 0, 0)});  // empty data section
  CHECK(Ecgr1File(b).Find("z")->nbytes == 0);

  const std::string c = dir.File("c.ecgr1");
  std::vector<ecgr1::Ecgr1TensorSpec> specs = TestTensors();
  specs[2].fill = [](uint8_t*, uint64_t) { throw Error(ExitCode::kBadModel, "source tensor unreadable"); };
  CHECK_THROWS_WITH(ecgr1::WriteEcgr1Mapped(c, TestMetadata(), specs), "source tensor unreadable");
  CHECK(!fs::exists(c));
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 2);
}

TEST_CASE("every header and directory byte flipped: error or success, never a crash", "[ecgr1file]") {
  TempDir dir;
  const std::string good = GoodFileBytes(dir);
  const size_t end = GetU64(good, kDirOffsetAt) + GetU64(good, kDirSizeAt);
  const std::string path = dir.File("flip.ecgr1");
  int refused = 0;
  for (size_t i = 0; i < end; ++i) {
    if (i >= 72 && i < 128) continue;  // reserved header bytes: ignored by design
    std::string b = good;
    b[i] = static_cast<char>(b[i] ^ 0xA5);
    WriteAll(path, b);
    try {
      Ecgr1File f(path);
      for (const ecgr1::TensorView& t : f.tensors()) {  // whatever was accepted must lie inside the file
        CHECK(t.data >= f.tensors()[0].data);
        CHECK(t.nbytes <= f.file_size());
      }
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::kBadModel);
      ++refused;
    }
  }
  CHECK(refused > 0);
}

TEST_CASE("a failed write leaves nothing behind", "[ecgr1file]") {
  TempDir dir;
  const std::string path = dir.File("out.ecgr1");
  auto no_leftovers = [&] {
    CHECK(!fs::exists(path));
    CHECK(fs::is_empty(dir.path));  // no "out.ecgr1.tmp.<pid>"
  };

  SECTION("fill() throws") {
    std::vector<ecgr1::Ecgr1TensorSpec> specs = TestTensors();
    specs[1].fill = [](uint8_t*, uint64_t) { throw Error(ExitCode::kBadModel, "source tensor unreadable"); };
    CHECK_THROWS_WITH(ecgr1::WriteEcgr1(path, TestMetadata(), specs), "source tensor unreadable");
    no_leftovers();
  }
  SECTION("duplicate tensor names") {
    std::vector<ecgr1::Ecgr1TensorSpec> specs = TestTensors();
    specs[2].name = specs[0].name;
    CHECK_THROWS_AS(ecgr1::WriteEcgr1(path, TestMetadata(), specs), Error);
    no_leftovers();
  }
  SECTION("overflowing shape") {
    std::vector<ecgr1::Ecgr1TensorSpec> specs = {Spec("big", DType::kF32, {uint64_t{1} << 40, uint64_t{1} << 40}, 0, 0)};
    CHECK_THROWS_AS(ecgr1::WriteEcgr1(path, TestMetadata(), specs), Error);
    no_leftovers();
  }
  SECTION("metadata not an object") {
    CHECK_THROWS_AS(ecgr1::WriteEcgr1(path, nlohmann::json::array(), TestTensors()), Error);
    no_leftovers();
  }
  SECTION("a failed rewrite keeps the old file") {
    ecgr1::WriteEcgr1(path, TestMetadata(), TestTensors());
    const std::string before = ReadAll(path);
    std::vector<ecgr1::Ecgr1TensorSpec> specs = TestTensors();
    specs[2].fill = [](uint8_t*, uint64_t) { throw std::runtime_error("disk on fire"); };
    CHECK_THROWS(ecgr1::WriteEcgr1(path, TestMetadata(), specs));
    CHECK(ReadAll(path) == before);
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  }
}
