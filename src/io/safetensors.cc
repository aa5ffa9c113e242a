// safetensors.cc — see safetensors.h. Validation follows the safetensors
// reference implementation (Rust crate `safetensors`, `SafeTensors::read_metadata`
// + `Metadata::validate`), plus duplicate-key detection that serde/nlohmann
// would otherwise resolve silently.
#include "io/safetensors.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "base/error.h"
#include "io/json.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors is little-endian");

namespace ecgr1 {
namespace {

using nlohmann::json;

// The reference implementation's MAX_HEADER_SIZE.
constexpr uint64_t kMaxHeaderBytes = 100u * 1000 * 1000;
constexpr size_t kMaxIndexBytes = 64u << 20;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A non-negative integer that fits u64 (nlohmann parses those as unsigned;
// negatives are number_integer, too-large values number_float).
bool AsU64(const json& j, uint64_t* out) {
  if (!j.is_number_unsigned()) return false;
  *out = j.get<uint64_t>();
  return true;
}

// One tensor entry of the header before its data pointer is known.
struct Entry {
  std::string name;
  const DTypeInfo* dtype;
  std::vector<uint64_t> shape;
  uint64_t begin, end;
};

// Parses `{"dtype": ..., "shape": [...], "data_offsets": [b, e]}` for tensor
// `name`; checks the types and shape x dtype == e - b. Unknown keys are
// ignored, as the reference does.
Entry ParseEntry(const std::string& path, const std::string& name, const json& j) {
  const char* p = path.c_str();
  const char* n = name.c_str();
  if (!j.is_object()) Fail(ExitCode::kBadModel, "%s: tensor '%s': entry is not a JSON object", p, n);
  Entry e;
  e.name = name;

  auto dt = j.find("dtype");
  if (dt == j.end() || !dt->is_string())
    Fail(ExitCode::kBadModel, "%s: tensor '%s': missing or non-string \"dtype\"", p, n);
  const std::string dname = dt->get<std::string>();
  e.dtype = FindDTypeBySafetensorsName(dname);
  if (e.dtype == nullptr)
    Fail(ExitCode::kBadModel, "%s: tensor '%s': unsupported dtype \"%s\"", p, n, dname.c_str());

  auto sh = j.find("shape");
  if (sh == j.end() || !sh->is_array())
    Fail(ExitCode::kBadModel, "%s: tensor '%s': missing or non-array \"shape\"", p, n);
  uint64_t numel = 1;
  for (const json& d : *sh) {
    uint64_t v;
    if (!AsU64(d, &v))
      Fail(ExitCode::kBadModel, "%s: tensor '%s': shape entry %s is not a non-negative integer", p, n,
           d.dump().c_str());
    if (MulOverflow(numel, v, &numel))
      Fail(ExitCode::kBadModel, "%s: tensor '%s': shape %s overflows 64 bits", p, n, sh->dump().c_str());
    e.shape.push_back(v);
  }

  auto off = j.find("data_offsets");
  if (off == j.end() || !off->is_array() || off->size() != 2 || !AsU64((*off)[0], &e.begin) ||
      !AsU64((*off)[1], &e.end))
    Fail(ExitCode::kBadModel, "%s: tensor '%s': \"data_offsets\" must be [begin, end] of non-negative integers",
         p, n);
  if (e.end < e.begin)
    Fail(ExitCode::kBadModel, "%s: tensor '%s': data_offsets end %llu < begin %llu", p, n,
         (unsigned long long)e.end, (unsigned long long)e.begin);

  uint64_t bytes;
  if (!BytesOf(e.dtype->type, numel, &bytes))
    Fail(ExitCode::kBadModel, "%s: tensor '%s': shape %s x %s overflows 64 bits", p, n,
         ShapeString(e.shape).c_str(), e.dtype->st_name);
  if (bytes != e.end - e.begin)
    Fail(ExitCode::kBadModel, "%s: tensor '%s': shape %s of %s needs %llu bytes but data_offsets span %llu", p,
         n, ShapeString(e.shape).c_str(), e.dtype->st_name, (unsigned long long)bytes,
         (unsigned long long)(e.end - e.begin));
  return e;
}

// `__metadata__`: optional, an object of string -> string (null accepted, as
// the reference's Option<HashMap> does).
std::map<std::string, std::string> ParseMetadata(const std::string& path, const json& j) {
  std::map<std::string, std::string> out;
  if (j.is_null()) return out;
  if (!j.is_object()) Fail(ExitCode::kBadModel, "%s: \"__metadata__\" is not a JSON object", path.c_str());
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it->is_string())
      Fail(ExitCode::kBadModel, "%s: \"__metadata__\" value of '%s' is not a string", path.c_str(),
           it.key().c_str());
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

// Checks that entries sorted by begin tile [0, data_size) exactly: the first
// starts at 0, each starts where the previous ended, the last ends at the end
// of the file. Zero-size tensors may share an offset.
void CheckTiling(const std::string& path, const std::vector<Entry>& entries, uint64_t data_size) {
  uint64_t expect = 0;
  for (const Entry& e : entries) {
    if (e.begin != expect)
      Fail(ExitCode::kBadModel, "%s: tensor '%s' starts at data offset %llu, expected %llu (%s)", path.c_str(),
           e.name.c_str(), (unsigned long long)e.begin, (unsigned long long)expect,
           e.begin > expect ? "gap between tensors" : "overlaps the previous tensor");
    expect = e.end;
  }
  if (expect != data_size)
    Fail(ExitCode::kBadModel, "%s: tensors end at data offset %llu but the data buffer is %llu bytes (%s)",
         path.c_str(), (unsigned long long)expect, (unsigned long long)data_size,
         expect < data_size ? "trailing bytes" : "file truncated");
}

}  // namespace

SafetensorsFile::SafetensorsFile(const std::string& path) : file_(path, ExitCode::kBadModel) {
  const char* p = path.c_str();
  const uint64_t size = file_.size();
  // 8-byte header length, then the header, then the data buffer.
  if (size < 8) Fail(ExitCode::kBadModel, "%s: file is %llu bytes, too short for safetensors", p,
                     (unsigned long long)size);
  uint64_t n;
  std::memcpy(&n, file_.data(), 8);
  if (n > kMaxHeaderBytes)
    Fail(ExitCode::kBadModel, "%s: header length %llu exceeds the 100 MB limit (not a safetensors file?)", p,
         (unsigned long long)n);
  if (n > size - 8)
    Fail(ExitCode::kBadModel, "%s: header length %llu exceeds the %llu bytes after the length field", p,
         (unsigned long long)n, (unsigned long long)(size - 8));
  const char* text = reinterpret_cast<const char*>(file_.data()) + 8;
  const json header = ParseJson(text, n, path, ExitCode::kBadModel);
  if (!header.is_object()) Fail(ExitCode::kBadModel, "%s: header is not a JSON object", p);

  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      metadata_ = ParseMetadata(path, *it);
    } else {
      entries.push_back(ParseEntry(path, it.key(), *it));
    }
  }
  // Sort by (begin, end) so zero-size tensors sit before a tensor that
  // starts at the same offset; keys are unique (checked by the parse).
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const uint64_t data_start = 8 + n;
  CheckTiling(path, entries, size - data_start);

  tensors_.reserve(entries.size());
  for (Entry& e : entries) {
    TensorView t;
    t.name = e.name;
    t.dtype = e.dtype->type;
    t.shape = std::move(e.shape);
    // Note: safetensors guarantees no alignment beyond what the writer chose.
    t.data = file_.data() + data_start + e.begin;
    t.nbytes = e.end - e.begin;
    index_[t.name] = tensors_.size();
    tensors_.push_back(std::move(t));
  }
}

const TensorView* SafetensorsFile::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

namespace {

// A shard name from the index must be a plain file name inside the folder.
bool IsPlainFileName(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos &&
         s.find('\0') == std::string::npos;
}

// Reads `weight_map` of an index file: tensor name -> shard file name.
std::map<std::string, std::string> ReadWeightMap(const std::string& index_path) {
  const char* p = index_path.c_str();
  const std::string text = ReadSmallFile(index_path, ExitCode::kBadModel, kMaxIndexBytes);
  const json j = ParseJson(text.data(), text.size(), index_path, ExitCode::kBadModel);
  if (!j.is_object()) Fail(ExitCode::kBadModel, "%s: not a JSON object", p);
  auto wm = j.find("weight_map");
  if (wm == j.end() || !wm->is_object()) Fail(ExitCode::kBadModel, "%s: missing \"weight_map\" object", p);
  if (wm->empty()) Fail(ExitCode::kBadModel, "%s: \"weight_map\" lists no tensors", p);
  std::map<std::string, std::string> out;
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    if (!it->is_string())
      Fail(ExitCode::kBadModel, "%s: weight_map entry '%s' is not a string", p, it.key().c_str());
    const std::string shard = it->get<std::string>();
    if (!IsPlainFileName(shard))
      Fail(ExitCode::kBadModel, "%s: tensor '%s' maps to shard \"%s\", which is not a plain file name in the folder",
           p, it.key().c_str(), shard.c_str());
    out[it.key()] = shard;
  }
  return out;
}

}  // namespace

SafetensorsCheckpoint::SafetensorsCheckpoint(const std::string& dir) {
  const std::string index_path = dir + "/model.safetensors.index.json";
  const std::string single_path = dir + "/model.safetensors";
  if (!IsDir(dir)) Fail(ExitCode::kBadModel, "%s: not a directory", dir.c_str());

  if (!Exists(index_path)) {
    if (!Exists(single_path))
      Fail(ExitCode::kBadModel, "no model.safetensors or model.safetensors.index.json in %s", dir.c_str());
    shards_.push_back(std::make_unique<SafetensorsFile>(single_path));
    shard_names_.push_back("model.safetensors");
    for (const TensorView& t : shards_[0]->tensors()) where_[t.name] = {0, &t};
    return;
  }

  const char* ip = index_path.c_str();
  const std::map<std::string, std::string> weight_map = ReadWeightMap(index_path);
  // Open each named shard once, in name order.
  std::map<std::string, size_t> shard_index;
  for (const auto& kv : weight_map) {
    if (shard_index.count(kv.second)) continue;
    const std::string shard_path = dir + "/" + kv.second;
    if (!Exists(shard_path))
      Fail(ExitCode::kBadModel, "%s: shard %s (holding '%s') does not exist", ip, kv.second.c_str(),
           kv.first.c_str());
    shard_index[kv.second] = shards_.size();
    shards_.push_back(std::make_unique<SafetensorsFile>(shard_path));
    shard_names_.push_back(kv.second);
  }
  // Every mapped tensor is in its shard...
  for (const auto& kv : weight_map) {
    const size_t s = shard_index[kv.second];
    const TensorView* t = shards_[s]->Find(kv.first);
    if (t == nullptr)
      Fail(ExitCode::kBadModel, "%s: tensor '%s' is mapped to %s, which does not contain it", ip,
           kv.first.c_str(), kv.second.c_str());
    where_[kv.first] = {s, t};
  }
  // ...and every tensor of every shard is mapped, to that shard.
  for (size_t s = 0; s < shards_.size(); ++s) {
    for (const TensorView& t : shards_[s]->tensors()) {
      auto it = weight_map.find(t.name);
      if (it == weight_map.end())
        Fail(ExitCode::kBadModel, "%s: shard %s holds tensor '%s', which the index does not list", ip,
             shard_names_[s].c_str(), t.name.c_str());
      if (it->second != shard_names_[s])
        Fail(ExitCode::kBadModel, "%s: tensor '%s' is in two shards, %s and %s", ip, t.name.c_str(),
             it->second.c_str(), shard_names_[s].c_str());
    }
  }
}

const TensorView* SafetensorsCheckpoint::Find(const std::string& name) const {
  auto it = where_.find(name);
  return it == where_.end() ? nullptr : it->second.second;
}

std::vector<std::string> SafetensorsCheckpoint::Names() const {
  std::vector<std::string> out;
  out.reserve(where_.size());
  for (const auto& kv : where_) out.push_back(kv.first);  // std::map: already sorted
  return out;
}

std::string SafetensorsCheckpoint::ShardOf(const std::string& name) const {
  auto it = where_.find(name);
  return it == where_.end() ? std::string() : shard_names_[it->second.first];
}

}  // namespace ecgr1
