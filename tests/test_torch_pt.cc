// Tests of the zip reader and the PyTorch .pt reader: the golden ECG-CoCa
// tower file (values and a byte-identical conversion against the safetensors
// copy), then hand-assembled hostile zips and pickles. Every bad input must
// throw ecgr1::Error(kBadModel) with a message naming the file, never crash.
#include <catch2/catch.hpp>

#include "require_error.h"

#include "test_util.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/bf16.h"
#include "base/error.h"
#include "base/mapped_file.h"
#include "convert/convert.h"
#include "format/ecgr1_file.h"
#include "io/safetensors.h"
#include "io/torch_pt.h"
#include "io/zip_reader.h"

using ecgr1::Error;
using ecgr1::ExitCode;
using ecgr1::TorchCheckpoint;
using ecgr1::ZipArchive;
using ecgr1::test::TempDir;
using ecgr1::test::WriteAll;

namespace {

// Element i of a float tensor; the data of hand-made zips need not be aligned.
float At(const ecgr1::TensorView& t, size_t i) {
  float f;
  std::memcpy(&f, t.data + 4 * i, 4);
  return f;
}

std::string ModelDir() {
  const char* env = std::getenv("ECGR1_TEST_DATA");
  return std::string(env != nullptr && *env ? env : ECGR1_TEST_DATA) + "/golden_a/model";
}
std::string TowerPt() { return ModelDir() + "/ecg_tower.pt"; }

// ---- little-endian bytes ------------------------------------------------------
std::string Le(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}
void Patch(std::string* s, size_t at, uint64_t v, int n) { s->replace(at, n, Le(v, n)); }
uint32_t Crc(const std::string& s) { return ecgr1::Crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

// ---- a minimal stored-zip writer (with offsets kept for patching) ---------------
struct ZipEntrySpec {
  std::string name, data;
  uint16_t flags = 0, method = 0;
};

std::string LocalHeader(const ZipEntrySpec& e) {
  return Le(0x04034b50, 4) + Le(20, 2) + Le(e.flags, 2) + Le(e.method, 2) + Le(0, 4) + Le(Crc(e.data), 4) +
         Le(e.data.size(), 4) + Le(e.data.size(), 4) + Le(e.name.size(), 2) + Le(0, 2) + e.name;
}

std::string CentralHeader(const ZipEntrySpec& e, uint64_t offset) {
  return Le(0x02014b50, 4) + Le(20, 2) + Le(20, 2) + Le(e.flags, 2) + Le(e.method, 2) + Le(0, 4) +
         Le(Crc(e.data), 4) + Le(e.data.size(), 4) + Le(e.data.size(), 4) + Le(e.name.size(), 2) + Le(0, 2) +
         Le(0, 2) + Le(0, 2) + Le(0, 2) + Le(0, 4) + Le(offset, 4) + e.name;
}

std::string Eocd(uint64_t n, uint64_t cd_size, uint64_t cd_off) {
  return Le(0x06054b50, 4) + Le(0, 2) + Le(0, 2) + Le(n, 2) + Le(n, 2) + Le(cd_size, 4) + Le(cd_off, 4) + Le(0, 2);
}

struct Zip {
  std::string bytes;
  std::vector<size_t> local, central;  // header offsets per entry
  size_t cd_off = 0, eocd = 0;
};

Zip MakeZip(const std::vector<ZipEntrySpec>& entries) {
  Zip z;
  for (const ZipEntrySpec& e : entries) {
    z.local.push_back(z.bytes.size());
    z.bytes += LocalHeader(e) + e.data;
  }
  z.cd_off = z.bytes.size();
  for (size_t i = 0; i < entries.size(); ++i) {
    z.central.push_back(z.bytes.size());
    z.bytes += CentralHeader(entries[i], z.local[i]);
  }
  z.eocd = z.bytes.size();
  z.bytes += Eocd(entries.size(), z.eocd - z.cd_off, z.cd_off);
  return z;
}

// ---- pickle assembly ------------------------------------------------------------
const std::string kProto = "\x80\x02";
std::string PStr(const std::string& s) { return "X" + Le(s.size(), 4) + s; }
std::string PInt(uint32_t v) { return v < 256 ? "K" + Le(v, 1) : "J" + Le(v, 4); }
std::string PGlobal(const std::string& module, const std::string& name) { return "c" + module + "\n" + name + "\n"; }
std::string PTuple(const std::vector<uint32_t>& v) {
  std::string s = "(";
  for (uint32_t x : v) s += PInt(x);
  return s + "t";
}
const std::string kEmptyOrderedDict = PGlobal("collections", "OrderedDict") + ")R";

// _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict())
std::string PTensor(const std::string& key, uint32_t numel, uint32_t offset, const std::vector<uint32_t>& size,
                    const std::vector<uint32_t>& stride, const std::string& storage_type = "FloatStorage") {
  return PGlobal("torch._utils", "_rebuild_tensor_v2") + "((" + PStr("storage") + PGlobal("torch", storage_type) +
         PStr(key) + PStr("cpu") + PInt(numel) + "tQ" + PInt(offset) + PTuple(size) + PTuple(stride) + "\x89" +
         kEmptyOrderedDict + "tR";
}

// A {"state_dict": {items}} pickle; `items` is a run of key/value pickles.
std::string StateDictPickle(const std::string& items, const std::string& extra_top = "") {
  return kProto + "}(" + PStr("state_dict") + "}(" + items + "u" + extra_top + "u.";
}

std::string Floats(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}

// A torch.save-style archive: arch/data.pkl, arch/data/<key>..., arch/version.
std::string MakePt(const std::string& pickle, const std::map<std::string, std::string>& storages) {
  std::vector<ZipEntrySpec> e;
  e.push_back({"arch/data.pkl", pickle});
  for (const auto& kv : storages) e.push_back({"arch/data/" + kv.first, kv.second});
  e.push_back({"arch/version", "3\n"});
  return MakeZip(e).bytes;
}

// Runs `fn`; requires Error(kBadModel) whose message contains every needle.
void RequireBadModel(const std::function<void()>& fn, const std::vector<std::string>& needles) {
  ecgr1::test::RequireError(fn, ExitCode::kBadModel, needles);
}

// Writes `bytes` to a temp file and requires TorchCheckpoint to refuse it
// with a message naming the file and containing `what`.
void RequireBadPt(const std::string& bytes, const std::string& what, const std::string& keep = "") {
  TempDir dir;
  const std::string path = dir.File("bad.pt");
  WriteAll(path, bytes);
  RequireBadModel([&] { TorchCheckpoint pt(path, keep); }, {path, what});
}

void RequireBadPickle(const std::string& pickle, const std::string& what) {
  RequireBadPt(MakePt(pickle, {{"0", Floats({1, 2, 3, 4})}}), what);
}

// Opens `bytes` as a zip and reads (CRC-checks) every entry.
void ReadZip(const std::string& bytes, const std::string& path = "mem.zip") {
  ZipArchive z(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
  for (const ecgr1::ZipEntry& e : z.entries()) z.Data(e);
}

void RequireBadZip(const std::string& bytes, const std::string& what) {
  RequireBadModel([&] { ReadZip(bytes, "mem.zip"); }, {"mem.zip", what});
}

}  // namespace

TEST_CASE("CRC-32 matches the standard check value", "[torchpt]") {
  const std::string s = "123456789";
  CHECK(Crc(s) == 0xCBF43926u);
  CHECK(Crc("") == 0u);
  // Split computation continues correctly, across the 8-byte fast path.
  const std::string long_text(1000, 'x');
  const uint32_t part = ecgr1::Crc32(reinterpret_cast<const uint8_t*>(long_text.data()), 13);
  CHECK(ecgr1::Crc32(reinterpret_cast<const uint8_t*>(long_text.data()) + 13, 987, part) == Crc(long_text));
}

TEST_CASE("the golden ecg_tower.pt reads and equals the bf16 safetensors tower", "[torchpt]") {
  const TorchCheckpoint pt(TowerPt());
  CHECK(pt.state_dict_size() == 33);
  CHECK(pt.tensors().size() == 33);  // 32 module.ecg.* + module.logit_scale
  const ecgr1::TensorView* conv = pt.Find("module.ecg.conv1.weight");
  REQUIRE(conv != nullptr);
  CHECK(conv->dtype == ecgr1::DType::kF32);
  CHECK(conv->shape == std::vector<uint64_t>{32, 12, 50});
  const ecgr1::TensorView* ls = pt.Find("module.logit_scale");
  REQUIRE(ls != nullptr);
  CHECK(ls->shape.empty());
  CHECK(ls->nbytes == 4);

  const TorchCheckpoint ecg_only(TowerPt(), "module.ecg.");
  CHECK(ecg_only.tensors().size() == 32);
  CHECK(ecg_only.Find("module.logit_scale") == nullptr);

  const ecgr1::SafetensorsCheckpoint st(ModelDir());
  size_t compared = 0;
  for (const ecgr1::TensorView& t : ecg_only.tensors()) {
    const std::string st_name = "model.ecg_tower." + t.name.substr(std::strlen("module.ecg."));
    const ecgr1::TensorView* s = st.Find(st_name);
    INFO(t.name);
    REQUIRE(s != nullptr);
    REQUIRE(s->dtype == ecgr1::DType::kBF16);
    REQUIRE(s->shape == t.shape);
    size_t mismatches = 0;
    for (uint64_t i = 0; i < t.numel(); ++i) {
      uint16_t h;
      std::memcpy(&h, s->data + 2 * i, 2);
      float f;
      std::memcpy(&f, t.data + 4 * i, 4);
      if (ecgr1::Bf16ToF32(h) != f) ++mismatches;
    }
    CHECK(mismatches == 0);
    ++compared;
  }
  CHECK(compared == 32);
}

namespace {

// Converts the golden checkpoint folder `dir` to `out`, optionally with the
// tower from the golden .pt.
void Convert(const std::string& dir, const std::string& out, ecgr1::DType type, bool with_pt) {
  ecgr1::ConvertOptions opt;
  opt.type = type;
  if (with_pt) opt.ecg_tower_pt = TowerPt();
  ecgr1::ConvertCheckpoint(dir, out, opt);
}

void RequireSameTensors(const std::string& a_path, const std::string& b_path) {
  const ecgr1::Ecgr1File a(a_path), b(b_path);
  REQUIRE(a.tensors().size() == b.tensors().size());
  for (size_t i = 0; i < a.tensors().size(); ++i) {
    const ecgr1::TensorView& x = a.tensors()[i];
    const ecgr1::TensorView* y = b.Find(x.name);
    INFO(x.name);
    REQUIRE(y != nullptr);
    CHECK(x.dtype == y->dtype);
    CHECK(x.shape == y->shape);
    REQUIRE(x.nbytes == y->nbytes);
    CHECK(std::memcmp(x.data, y->data, x.nbytes) == 0);
  }
}

// A copy of the golden checkpoint folder whose safetensors lack model.ecg_tower.*.
void WriteFolderWithoutTower(const std::string& dir) {
  for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json",
                        "preprocessor_config.json"})
    WriteAll(dir + "/" + f, ecgr1::ReadSmallFile(ModelDir() + "/" + f, ExitCode::kBadModel));
  const ecgr1::SafetensorsCheckpoint st(ModelDir());
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const std::string& n : st.Names()) {
    if (n.rfind("model.ecg_tower.", 0) == 0) continue;
    const ecgr1::TensorView* t = st.Find(n);
    header[n] = {{"dtype", ecgr1::Info(t->dtype).st_name},
                 {"shape", t->shape},
                 {"data_offsets", {data.size(), data.size() + t->nbytes}}};
    data.append(reinterpret_cast<const char*>(t->data), t->nbytes);
  }
  const std::string h = header.dump();
  WriteAll(dir + "/model.safetensors", Le(h.size(), 8) + h + data);
}

}  // namespace

TEST_CASE("converting with --ecg-tower gives byte-identical tower tensors", "[torchpt]") {
  TempDir tmp;
  for (ecgr1::DType type : {ecgr1::DType::kF32, ecgr1::DType::kBF16}) {
    INFO("type " << ecgr1::Info(type).name);
    const std::string a = tmp.File("a.ecgr1"), b = tmp.File("b.ecgr1");
    Convert(ModelDir(), a, type, false);
    Convert(ModelDir(), b, type, true);
    RequireSameTensors(a, b);
    const ecgr1::Ecgr1File fb(b);
    CHECK(fb.metadata()["provenance"]["ecg_tower"] == TowerPt());
  }

  // A folder without the tower: refused unless --ecg-tower is given, then the
  // same as the full conversion.
  TempDir folder;
  WriteFolderWithoutTower(folder.path);
  RequireBadModel([&] { Convert(folder.path, tmp.File("c.ecgr1"), ecgr1::DType::kBF16, false); },
                  {"model.ecg_tower.", "--ecg-tower"});
  Convert(folder.path, tmp.File("c.ecgr1"), ecgr1::DType::kBF16, true);
  Convert(ModelDir(), tmp.File("d.ecgr1"), ecgr1::DType::kBF16, false);
  RequireSameTensors(tmp.File("c.ecgr1"), tmp.File("d.ecgr1"));
}

TEST_CASE("converting with an ECG-CoCa .pt names missing and mis-shaped tensors", "[torchpt]") {
  TempDir tmp;
  ecgr1::ConvertOptions opt;
  // Only module.logit_scale: the first tower tensor is missing.
  opt.ecg_tower_pt = tmp.File("only_scale.pt");
  WriteAll(opt.ecg_tower_pt, MakePt(StateDictPickle(PStr("module.logit_scale") + PTensor("0", 1, 0, {}, {})),
                                    {{"0", Floats({2.5f})}}));
  RequireBadModel([&] { ecgr1::ConvertCheckpoint(ModelDir(), tmp.File("x.ecgr1"), opt); },
                  {opt.ecg_tower_pt, "module.ecg.conv1.weight is missing"});
  // conv1.weight of the wrong shape.
  opt.ecg_tower_pt = tmp.File("bad_shape.pt");
  WriteAll(opt.ecg_tower_pt, MakePt(StateDictPickle(PStr("module.ecg.conv1.weight") + PTensor("0", 4, 0, {2, 2}, {2, 1})),
                                    {{"0", Floats({1, 2, 3, 4})}}));
  RequireBadModel([&] { ecgr1::ConvertCheckpoint(ModelDir(), tmp.File("x.ecgr1"), opt); },
                  {opt.ecg_tower_pt, "module.ecg.conv1.weight", "[2, 2]", "[32, 12, 50]"});
  CHECK_FALSE(std::ifstream(tmp.File("x.ecgr1")).good());
}

TEST_CASE("a hand-made state_dict reads and numpy placeholders outside it are inert", "[torchpt]") {
  TempDir tmp;
  const std::string items = PStr("a") + PTensor("0", 6, 0, {2, 3}, {3, 1}) +   // whole storage
                            PStr("b") + PTensor("0", 6, 4, {2}, {1}) +         // a view at offset 4
                            PStr("c") + PTensor("1", 2, 0, {1, 2}, {99, 1});   // size-1 dim: any stride
  // "optimizer": {"lr": numpy.float64 as pickled by numpy: scalar(dtype('f8', False, True) + BUILD, bytes)}
  const std::string np_scalar = PGlobal("numpy.core.multiarray", "scalar") + "(" + PGlobal("numpy", "dtype") +
                                "(" + PStr("f8") + "\x89\x88tR" + "(" + PInt(3) + PStr("<") + "NNN" + "J" +
                                Le(0xffffffff, 4) + "J" + Le(0xffffffff, 4) + PInt(0) + "tb" +
                                PGlobal("_codecs", "encode") + "(" + PStr("abcdefgh") + PStr("latin1") + "tR" + "tR";
  const std::string opt = PStr("optimizer") + "}(" + PStr("lr") + np_scalar + PStr("step") + "\x8a\x02\x10\x27" +
                          PStr("betas") + "G" + std::string("\x3f\xec\xcc\xcc\xcc\xcc\xcc\xcd", 8) + "]" + "\x88" +
                          "a" + "\x86" + "u";
  const std::string path = tmp.File("ok.pt");
  WriteAll(path, MakePt(StateDictPickle(items, opt), {{"0", Floats({0, 1, 2, 3, 4, 5})}, {"1", Floats({7, 8})}}));
  const TorchCheckpoint pt(path);
  REQUIRE(pt.tensors().size() == 3);
  const ecgr1::TensorView* b = pt.Find("b");
  REQUIRE(b != nullptr);
  CHECK(b->shape == std::vector<uint64_t>{2});
  CHECK(At(*b, 0) == 4.0f);
  CHECK(At(*b, 1) == 5.0f);
  CHECK(At(*pt.Find("c"), 1) == 8.0f);

  // An OrderedDict state_dict with _metadata set by BUILD, memoized with
  // MEMOIZE/LONG_BINPUT and read back with BINGET, protocol 4 framing.
  const std::string od = "\x80\x04\x95" + Le(0, 8) + kEmptyOrderedDict + "\x94" + "(" + PStr("w") +
                         PTensor("0", 6, 0, {6}, {1}) + "u" + "}(" + PStr("_metadata") + kEmptyOrderedDict + "ub" +
                         "r" + Le(1, 4) + "0" + "h\x01" + ".";
  // ("0" is POP, which is not supported: expect a refusal naming the opcode.)
  RequireBadPt(MakePt(od, {{"0", Floats({0, 1, 2, 3, 4, 5})}}), "opcode 0x30");
  const std::string od_ok = "\x80\x04\x95" + Le(0, 8) + kEmptyOrderedDict + "\x94" + "(" + PStr("w") +
                            PTensor("0", 6, 0, {6}, {1}) + "u" + "}(" + PStr("_metadata") + kEmptyOrderedDict + "ub" +
                            ".";
  WriteAll(path, MakePt(od_ok, {{"0", Floats({0, 1, 2, 3, 4, 5})}}));
  const TorchCheckpoint top(path);
  REQUIRE(top.tensors().size() == 1);
  CHECK(top.Find("w")->shape == std::vector<uint64_t>{6});

  // A numpy placeholder where a kept tensor should be is an error.
  RequireBadPt(MakePt(StateDictPickle(PStr("module.ecg.x") + np_scalar), {}), "not a tensor", "module.ecg.");
}

TEST_CASE("pickles naming dangerous globals are refused by name", "[torchpt]") {
  const std::string call = PStr("echo pwned") + "\x85R.";
  for (const auto& g : std::vector<std::pair<std::string, std::string>>{
           {"os", "system"}, {"builtins", "eval"}, {"posix", "system"}, {"subprocess", "Popen"},
           {"__builtin__", "exec"}, {"numpy", "load"}, {"torch", "load"}, {"torch.storage", "_load_from_bytes"},
           {"collections", "defaultdict"}}) {
    INFO(g.first << "." << g.second);
    RequireBadPickle(kProto + PGlobal(g.first, g.second) + call,
                     "pickle references forbidden global " + g.first + "." + g.second);
    // The same through STACK_GLOBAL.
    RequireBadPickle("\x80\x04" + PStr(g.first) + PStr(g.second) + "\x93" + call,
                     "forbidden global " + g.first + "." + g.second);
  }
  // Hidden inside a state_dict value, after valid tensors.
  RequireBadPickle(StateDictPickle(PStr("w") + PTensor("0", 4, 0, {4}, {1}) + PStr("x") + PGlobal("os", "system") +
                                   PStr("id") + "\x85R"),
                   "forbidden global os.system");
  // Whitelisted names used the wrong way.
  RequireBadPickle(kProto + PGlobal("torch", "FloatStorage") + ")R.", "only appear in a storage reference");
  RequireBadPickle(kProto + PGlobal("collections", "OrderedDict") + "(" + PStr("x") + "tR.", "OrderedDict with 1");
  RequireBadPickle(kProto + PStr("x") + "}b.", "BUILD on a str");
  RequireBadPickle(kProto + PStr("x") + ")R.", "REDUCE calls a str");
}

TEST_CASE("pickle bounds: nesting, memo, lengths, opcodes", "[torchpt]") {
  RequireBadPickle(kProto + std::string(5000, '('), "nests deeper than");
  RequireBadPickle(kProto + "}r" + Le(0xffffffff, 4) + ".", "memo index 4294967295 out of order");
  RequireBadPickle(kProto + "}q\x05.", "memo index 5 out of order");
  RequireBadPickle(kProto + "h\x07.", "memo entry 7, which was never stored");
  RequireBadPickle(kProto + "X" + Le(0xfffffff0, 4) + "abc.", "string of 4294967280 bytes runs past the end");
  RequireBadPickle(kProto + "\x8d" + Le(uint64_t{1} << 62, 8) + ".", "runs past the end");
  RequireBadPickle(kProto + "B" + Le(0x7fffffff, 4) + ".", "bytes of 2147483647 bytes runs past the end");
  RequireBadPickle(kProto + "\x8a\xff" + std::string(255, '\x01') + ".", "LONG1 integer of 255 bytes");
  RequireBadPickle(kProto + "\x95" + Le(1000, 8) + "}.", "frame of 1000 bytes");
  RequireBadPickle("\x80\x09}.", "protocol 9");
  RequireBadPickle(kProto + "}", "ends without STOP");
  RequireBadPickle(kProto + "}}.", "values left on its stack");
  RequireBadPickle(kProto + "}.junk", "after the pickle's STOP");
  RequireBadPickle(kProto + "s.", "stack underflow");
  RequireBadPickle(kProto + "}(" + PStr("k") + "u.", "odd number");
  RequireBadPickle(kProto + "(\x85.", "stack underflow");
  RequireBadPickle(kProto + "c" + std::string(1000, 'a') + "\nb\n.", "GLOBAL argument");
  for (const char op : {'i', 'o', '\x81', '\x92', 'I', 'S', 'V', 'P', 'R'}) {
    INFO("opcode " << static_cast<int>(static_cast<unsigned char>(op)));
    TempDir dir;
    const std::string path = dir.File("bad.pt");
    WriteAll(path, MakePt(kProto + std::string(1, op) + ".", {}));
    RequireBadModel([&] { TorchCheckpoint pt(path); }, {path});
  }
  RequireBadPickle(kProto + "(" + PStr("not a storage") + "tQ.", "persistent id");
  RequireBadPickle(kProto + "]", "ends without STOP");
  RequireBadPickle(kProto + PStr("x") + ".", "not a dict");
  RequireBadPickle(kProto + "}(" + PStr("x") + PInt(1) + "u.", "not a dict of tensors");
}

TEST_CASE("tensors must lie inside their storages", "[torchpt]") {
  const auto sd = [](const std::string& tensor) { return StateDictPickle(PStr("w") + tensor); };
  // Storage "0" holds 4 floats.
  RequireBadPickle(sd(PTensor("0", 4, 1, {4}, {1})), "runs past storage '0' of 4 elements");
  RequireBadPickle(sd(PTensor("0", 4, 0, {5}, {1})), "runs past storage '0'");
  RequireBadPickle(sd(PTensor("0", 4, 0x7fffffff, {2}, {1})), "runs past storage");
  RequireBadPickle(sd(PTensor("0", 4, 0xffffffff, {2}, {1})), "offset is not a non-negative int");  // BININT -1
  RequireBadPickle(sd(PTensor("0", 4, 0, {2, 2}, {1, 2})), "not contiguous");
  RequireBadPickle(sd(PTensor("0", 4, 0, {65536, 65536, 65536, 65536, 65536}, {1, 1, 1, 1, 1})), "overflows 64 bits");
  RequireBadPickle(sd(PTensor("0", 5, 0, {4}, {1})), "claims 5 f32 elements but its entry arch/data/0 holds 16 bytes");
  RequireBadPickle(sd(PTensor("0", 3, 0, {2}, {1}, "DoubleStorage")), "claims 3 f64 elements");
  RequireBadPickle(sd(PTensor("9", 4, 0, {4}, {1})), "storage '9' has no entry arch/data/9");
  RequireBadPickle(sd(PTensor("0", 4, 0, {4}, {1}, "UntypedStorage")), "forbidden global torch.UntypedStorage");
  // The same key as two types.
  RequireBadPickle(StateDictPickle(PStr("a") + PTensor("0", 4, 0, {4}, {1}) + PStr("b") +
                                   PTensor("0", 8, 0, {8}, {1}, "HalfStorage")),
                   "two different types");
  // Non-empty backward hooks.
  RequireBadPickle(sd(PGlobal("torch._utils", "_rebuild_tensor_v2") + "((" + PStr("storage") +
                      PGlobal("torch", "FloatStorage") + PStr("0") + PStr("cpu") + PInt(4) + "tQ" + PInt(0) +
                      PTuple({4}) + PTuple({1}) + "\x89" + "}(" + PInt(1) + PInt(2) + "u" + "tR"),
                   "backward hooks");
  // Two entries of the same name.
  RequireBadPickle(StateDictPickle(PStr("w") + PTensor("0", 4, 0, {4}, {1}) + PStr("w") + PTensor("0", 4, 0, {4}, {1})),
                   "names 'w' twice");
}

TEST_CASE("archive layout: root folder, TorchScript, legacy format", "[torchpt]") {
  const std::string pkl = StateDictPickle(PStr("w") + PTensor("0", 1, 0, {1}, {1}));
  RequireBadPt(MakeZip({{"a/data.pkl", pkl}, {"b/data/0", Floats({1})}}).bytes, "two top-level folders");
  RequireBadPt(MakeZip({{"data.pkl", pkl}}).bytes, "not inside a top-level folder");
  RequireBadPt(MakeZip({{"arch/data.pkl", pkl}, {"arch/data/0", Floats({1})}, {"arch/code/__torch__.py", "x"}}).bytes,
               "TorchScript");
  RequireBadPt(MakeZip({{"arch/data.pkl", pkl}, {"arch/constants.pkl", "x"}}).bytes, "TorchScript");
  RequireBadPt(MakeZip({{"arch/version", "3"}}).bytes, "no arch/data.pkl");
  RequireBadPt(MakeZip({{"arch/data.pkl", pkl}, {"arch/data/0", Floats({1})}, {"arch/byteorder", "big"}}).bytes,
               "big-endian");
  RequireBadPt(kProto + "}.", "legacy");
  RequireBadPt("", "too short");
}

TEST_CASE("zip container: every structural lie is refused", "[torchpt]") {
  const std::vector<ZipEntrySpec> two = {{"r/one", "first entry data"}, {"r/two", "second"}};
  const Zip good = MakeZip(two);
  ReadZip(good.bytes);  // the baseline reads

  {  // bad CRC: one data byte flipped
    std::string b = good.bytes;
    b[good.local[0] + 30 + 5] ^= 1;
    ZipArchive z(reinterpret_cast<const uint8_t*>(b.data()), b.size(), "mem.zip");  // the structure is fine
    RequireBadModel([&] { z.Data(z.entries()[0]); }, {"mem.zip", "r/one", "CRC-32 mismatch"});
    RequireBadPt(MakePt(kProto + "}.", {}).replace(30 + 13 + 1, 1, "\x7f"), "CRC-32 mismatch");  // data.pkl's 2nd byte
  }
  RequireBadZip(MakeZip({{"r/a", "1"}, {"r/a", "2"}}).bytes, "appears twice");
  {  // local name differs from the central one
    std::string b = good.bytes;
    b[good.local[1] + 30 + 2] = 'X';
    RequireBadZip(b, "local header names it 'r/Xwo'");
  }
  {  // truncated files
    RequireBadZip(good.bytes.substr(0, good.bytes.size() - 1), "no zip end-of-central-directory");
    RequireBadZip(good.bytes.substr(0, 10), "too short");
    const std::string golden = ecgr1::ReadSmallFile(TowerPt(), ExitCode::kBadModel);
    RequireBadZip(golden.substr(0, golden.size() / 2), "no zip end-of-central-directory");
    RequireBadPt(golden.substr(0, golden.size() - 30), "end-of-central-directory");
  }
  for (uint16_t flag : {0x1, 0x40, 0x2000}) {  // encryption flags (both headers agree)
    std::string b = good.bytes;
    Patch(&b, good.local[0] + 6, flag, 2);
    Patch(&b, good.central[0] + 8, flag, 2);
    RequireBadZip(b, "encrypted");
  }
  {  // deflate, and another method
    std::string b = good.bytes;
    Patch(&b, good.local[0] + 8, 8, 2);
    Patch(&b, good.central[0] + 10, 8, 2);
    RequireBadZip(b, "compressed zip entries are not supported");
    Patch(&b, good.central[0] + 10, 12, 2);
    RequireBadZip(b, "unsupported compression method 12");
  }
  {  // local flags/method differ from the central directory
    std::string b = good.bytes;
    Patch(&b, good.local[0] + 8, 8, 2);
    RequireBadZip(b, "differ from the central");
  }
  {  // local CRC / size differ
    std::string b = good.bytes;
    Patch(&b, good.local[1] + 18, 3, 4);
    RequireBadZip(b, "differs from the central directory");
  }
  {  // an EOCD claiming 65535 entries in a 2-entry central directory
    std::string b = good.bytes;
    Patch(&b, good.eocd + 8, 0xffff, 2);
    Patch(&b, good.eocd + 10, 0xffff, 2);
    RequireBadZip(b, "claims 65535 entries but its central directory is only");
  }
  {  // a zip64 end record claiming 2^32 entries (patched into the golden file)
    std::string b = ecgr1::ReadSmallFile(TowerPt(), ExitCode::kBadModel);
    const size_t eocd = b.size() - 22, z64 = eocd - 20 - 56;  // zip64 record, locator, EOCD
    REQUIRE(b.compare(z64, 4, "PK\x06\x06") == 0);
    Patch(&b, z64 + 24, uint64_t{1} << 32, 8);
    Patch(&b, z64 + 32, uint64_t{1} << 32, 8);
    Patch(&b, eocd + 8, 0xffff, 2);
    Patch(&b, eocd + 10, 0xffff, 2);
    RequireBadZip(b, "claims 4294967296 entries, more than the 100000 allowed");
    // ... and the zip64 and classic records disagreeing.
    std::string c = ecgr1::ReadSmallFile(TowerPt(), ExitCode::kBadModel);
    Patch(&c, z64 + 32, 34, 8);
    RequireBadZip(c, "disagree");
  }
  {  // zip-bomb-like sizes: a stored entry claiming 4 GB uncompressed, or both sizes huge
    std::string b = good.bytes;
    Patch(&b, good.central[0] + 24, 0xfffffff0, 4);
    RequireBadZip(b, "stored entry claims 4294967280 bytes uncompressed but 16 stored");
    Patch(&b, good.central[0] + 20, 0xfffffff0, 4);
    RequireBadZip(b, "run past the start of the central directory");
  }
  {  // central directory outside the file / header offset past it
    std::string b = good.bytes;
    Patch(&b, good.eocd + 16, 0x7fffffff, 4);
    RequireBadZip(b, "runs past the end records");
    std::string c = good.bytes;
    Patch(&c, good.central[1] + 42, good.cd_off + 4, 4);
    RequireBadZip(c, "not before the central directory");
    std::string d = good.bytes;
    Patch(&d, good.central[1] + 42, 3, 4);
    RequireBadZip(d, "no local header at offset 3");
  }
  {  // an entry hidden inside another entry's data
    const ZipEntrySpec inner{"r/b", "bb"};
    const std::string a_data = LocalHeader(inner) + inner.data;
    const ZipEntrySpec outer{"r/a", a_data};
    std::string b = LocalHeader(outer) + a_data;
    const size_t cd = b.size();
    b += CentralHeader(outer, 0) + CentralHeader(inner, 30 + 3);
    b += Eocd(2, b.size() - cd, cd);
    RequireBadZip(b, "overlap");
  }
  {  // names: empty, with NUL, overlong
    RequireBadZip(MakeZip({{"", "x"}}).bytes, "empty name");
    RequireBadZip(MakeZip({{std::string("r/a\0b", 5), "x"}}).bytes, "NUL");
    RequireBadZip(MakeZip({{std::string(5000, 'n'), "x"}}).bytes, "longer than 4096");
  }
  {  // data descriptor (bit 3), as torch.save writes: local CRC/sizes 0, descriptor after the data
    const std::string data = "descriptor data";
    ZipEntrySpec e{"r/d", data, 0x8, 0};
    std::string local = LocalHeader(e);
    Patch(&local, 14, 0, 4);
    Patch(&local, 18, 0, 4);
    Patch(&local, 22, 0, 4);
    const std::string desc = Le(0x08074b50, 4) + Le(Crc(data), 4) + Le(data.size(), 4) + Le(data.size(), 4);
    std::string b = local + data + desc;
    const size_t cd = b.size();
    b += CentralHeader(e, 0);
    b += Eocd(1, b.size() - cd, cd);
    ReadZip(b);
    std::string bad = b;
    Patch(&bad, local.size() + data.size() + 4, Crc(data) ^ 1, 4);
    RequireBadZip(bad, "data descriptor missing or disagreeing");
  }
  RequireBadZip(std::string(100, 'x'), "no zip end-of-central-directory");
}
