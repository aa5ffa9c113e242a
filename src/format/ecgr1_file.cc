// ecgr1_file.cc — reader and writer of the .ecgr1 format (weights/FORMAT.md).
//
// The byte layout is defined once, by the constants and the two Encode/Decode
// pairs below (header, directory entry); the spec describes the same bytes.
#include "format/ecgr1_file.h"

#include <cstring>
#include <set>

#include "base/atomic_file.h"
#include "base/error.h"
#include "io/json.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, ".ecgr1 is little-endian");

namespace ecgr1 {
namespace {

using nlohmann::json;

constexpr uint8_t kMagic[8] = {'E', 'C', 'G', 'R', '1', '\r', '\n', 0x1a};
constexpr uint32_t kMajor = 1;
constexpr uint32_t kMinor = 1;  // 1.1: q8 and q4 tensors
constexpr uint64_t kHeaderBytes = 128;
constexpr uint64_t kDataStartAlign = 4096;  // what the writer uses (a page: WriteEcgr1Mapped maps from there); readers need only 64
constexpr uint64_t kMaxNameBytes = 4096;
constexpr uint32_t kMaxDims = 8;
// Smallest directory entry: name_len + 1-byte name + dtype + ndim + offset + nbytes.
constexpr uint64_t kMinEntryBytes = 4 + 1 + 4 + 4 + 8 + 8;
static_assert(kDataStartAlign % kEcgr1Alignment == 0, "data start must keep tensors aligned");

// The fixed header, decoded. Field order = byte order in the file.
struct Header {
  uint32_t major = kMajor, minor = kMinor;
  uint64_t metadata_offset = 0, metadata_size = 0;
  uint64_t directory_offset = 0, directory_size = 0;
  uint64_t tensor_count = 0;
  uint64_t data_offset = 0, data_size = 0;
};

uint64_t AlignUp(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }  // callers keep x small

unsigned long long ULL(uint64_t v) { return static_cast<unsigned long long>(v); }

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p++;
    if (c < 0x80) continue;
    int more;
    unsigned cp, min;
    if ((c & 0xE0) == 0xC0) { more = 1; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { more = 2; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { more = 3; cp = c & 0x07; min = 0x10000; }
    else return false;
    if (end - p < more) return false;
    for (int i = 0; i < more; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    p += more;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  }
  return true;
}

// Little-endian appenders for building the header and directory in memory.
void PutU32(std::string* out, uint32_t v) { out->append(reinterpret_cast<const char*>(&v), 4); }
void PutU64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }

std::string EncodeHeader(const Header& h) {
  std::string out(reinterpret_cast<const char*>(kMagic), 8);
  PutU32(&out, h.major);
  PutU32(&out, h.minor);
  PutU64(&out, h.metadata_offset);
  PutU64(&out, h.metadata_size);
  PutU64(&out, h.directory_offset);
  PutU64(&out, h.directory_size);
  PutU64(&out, h.tensor_count);
  PutU64(&out, h.data_offset);
  PutU64(&out, h.data_size);
  out.resize(kHeaderBytes, '\0');  // reserved bytes
  return out;
}

// Reads the fixed header; checks magic and version before anything else so a
// newer file gets the "newer version" message rather than a layout error.
Header DecodeHeader(const MappedFile& f) {
  const char* p = f.path().c_str();
  if (f.size() < 8 || std::memcmp(f.data(), kMagic, 8) != 0)
    Fail(ExitCode::kBadModel, "%s: not an .ecgr1 file (bad magic)", p);
  ByteReader r(f.data(), f.size(), f.path(), ExitCode::kBadModel);
  r.Bytes(8);
  Header h;
  h.major = r.U32();
  h.minor = r.U32();
  if (h.major > kMajor)
    Fail(ExitCode::kBadModel,
         "%s: format version %u.%u is newer than this ecgr1 supports (%u.x); update ecgr1 or re-convert the model",
         p, h.major, h.minor, kMajor);
  if (h.major == 0) Fail(ExitCode::kBadModel, "%s: invalid format version 0.%u", p, h.minor);
  if (f.size() < kHeaderBytes)
    Fail(ExitCode::kBadModel, "%s: truncated: %zu bytes, the header alone is %llu", p, f.size(), ULL(kHeaderBytes));
  h.metadata_offset = r.U64();
  h.metadata_size = r.U64();
  h.directory_offset = r.U64();
  h.directory_size = r.U64();
  h.tensor_count = r.U64();
  h.data_offset = r.U64();
  h.data_size = r.U64();
  return h;
}

// Checks that [offset, offset+size) starts at or after `min_start` and ends
// inside the file; returns its end.
uint64_t CheckSection(const char* path, const char* what, uint64_t offset, uint64_t size, uint64_t min_start,
                      uint64_t file_size) {
  uint64_t end;
  if (offset < min_start)
    Fail(ExitCode::kBadModel, "%s: %s starts at %llu, before the end of the previous section (%llu)", path, what,
         ULL(offset), ULL(min_start));
  if (AddOverflow(offset, size, &end) || end > file_size)
    Fail(ExitCode::kBadModel, "%s: %s [%llu, +%llu) runs past the end of the file (%llu bytes); truncated?", path,
         what, ULL(offset), ULL(size), ULL(file_size));
  return end;
}

// Sections in order, inside the file, data aligned and ending the file exactly.
void CheckLayout(const MappedFile& f, const Header& h) {
  const char* p = f.path().c_str();
  const uint64_t size = f.size();
  uint64_t end = CheckSection(p, "metadata", h.metadata_offset, h.metadata_size, kHeaderBytes, size);
  end = CheckSection(p, "tensor directory", h.directory_offset, h.directory_size, end, size);
  end = CheckSection(p, "data section", h.data_offset, h.data_size, end, size);
  if (h.data_offset % kEcgr1Alignment != 0)
    Fail(ExitCode::kBadModel, "%s: data section offset %llu is not a multiple of %llu", p, ULL(h.data_offset),
         ULL(kEcgr1Alignment));
  if (end != size)
    Fail(ExitCode::kBadModel, "%s: data section ends at %llu but the file is %llu bytes", p, ULL(end), ULL(size));
  if (h.tensor_count > h.directory_size / kMinEntryBytes)
    Fail(ExitCode::kBadModel, "%s: tensor count %llu cannot fit in a %llu-byte directory", p, ULL(h.tensor_count),
         ULL(h.directory_size));
}

// Checks a tensor's description; returns its byte size from shape x dtype.
// `where` names the file (and is used for both reader and writer messages).
uint64_t CheckedBytes(const char* where, const std::string& name, DType dtype, const std::vector<uint64_t>& shape) {
  uint64_t bytes = 0;
  std::string why;
  if (!TensorBytes(dtype, shape, &bytes, &why))
    Fail(ExitCode::kBadModel, "%s: tensor '%s': shape %s does not fit type %s: %s", where, name.c_str(),
         ShapeString(shape).c_str(), Info(dtype).name, why.c_str());
  return bytes;
}

// Reads one directory entry and checks it against the data section.
// `min_offset` is the end of the previous tensor.
TensorView ReadEntry(ByteReader* r, const MappedFile& f, const Header& h, uint64_t min_offset) {
  const char* p = f.path().c_str();
  const uint32_t name_len = r->U32();
  if (name_len == 0 || name_len > kMaxNameBytes || name_len > r->remaining())
    Fail(ExitCode::kBadModel, "%s: directory entry at %llu: name length %u is not in 1..%llu or past the directory",
         p, ULL(h.directory_offset + r->pos() - 4), name_len, ULL(kMaxNameBytes));
  TensorView t;
  t.name = r->String(name_len);
  const char* n = t.name.c_str();
  if (!IsValidUtf8(t.name)) Fail(ExitCode::kBadModel, "%s: tensor name is not valid UTF-8", p);

  const uint32_t code = r->U32();
  const DTypeInfo* info = FindDType(code);
  if (info == nullptr)
    Fail(ExitCode::kBadModel, "%s: tensor '%s': unknown dtype code %u%s", p, n, code,
         code >= 16 && code <= 31 ? " (a block-quantized type this build does not support; update ecgr1)" : "");
  t.dtype = info->type;
  const uint32_t ndim = r->U32();
  if (ndim > kMaxDims) Fail(ExitCode::kBadModel, "%s: tensor '%s': %u dimensions, at most %u", p, n, ndim, kMaxDims);
  t.shape.resize(ndim);
  for (uint64_t& d : t.shape) d = r->U64();
  const uint64_t offset = r->U64();
  t.nbytes = r->U64();

  const uint64_t bytes = CheckedBytes(p, t.name, t.dtype, t.shape);
  if (bytes != t.nbytes)
    Fail(ExitCode::kBadModel, "%s: tensor '%s': shape %s of %s needs %llu bytes but the directory says %llu", p, n,
         ShapeString(t.shape).c_str(), info->name, ULL(bytes), ULL(t.nbytes));
  if (offset % kEcgr1Alignment != 0)
    Fail(ExitCode::kBadModel, "%s: tensor '%s': data offset %llu is not a multiple of %llu", p, n, ULL(offset),
         ULL(kEcgr1Alignment));
  if (offset < min_offset)
    Fail(ExitCode::kBadModel, "%s: tensor '%s': data offset %llu overlaps the previous tensor (ends at %llu)", p, n,
         ULL(offset), ULL(min_offset));
  uint64_t end;
  if (AddOverflow(offset, t.nbytes, &end) || end > h.data_size)
    Fail(ExitCode::kBadModel, "%s: tensor '%s': bytes [%llu, +%llu) run past the %llu-byte data section", p, n,
         ULL(offset), ULL(t.nbytes), ULL(h.data_size));
  t.data = f.data() + h.data_offset + offset;
  return t;
}

}  // namespace

Ecgr1File::Ecgr1File(const std::string& path) : file_(path, ExitCode::kBadModel) {
  const char* p = path.c_str();
  const Header h = DecodeHeader(file_);
  major_ = h.major;
  minor_ = h.minor;
  CheckLayout(file_, h);
  data_offset_ = h.data_offset;
  data_size_ = h.data_size;

  metadata_ = ParseJson(reinterpret_cast<const char*>(file_.data()) + h.metadata_offset, h.metadata_size,
                              path + ": metadata", ExitCode::kBadModel);
  if (!metadata_.is_object()) Fail(ExitCode::kBadModel, "%s: metadata is not a JSON object", p);

  // tensor_count is bounded by directory_size / kMinEntryBytes (CheckLayout),
  // which is bounded by the file size: the reserve cannot be absurd.
  ByteReader r(file_.data() + h.directory_offset, h.directory_size, path + ": tensor directory",
               ExitCode::kBadModel);
  tensors_.reserve(h.tensor_count);
  uint64_t prev_end = 0;
  for (uint64_t i = 0; i < h.tensor_count; ++i) {
    TensorView t = ReadEntry(&r, file_, h, prev_end);
    prev_end = static_cast<uint64_t>(t.data - file_.data()) - h.data_offset + t.nbytes;
    if (!index_.emplace(t.name, tensors_.size()).second)
      Fail(ExitCode::kBadModel, "%s: tensor '%s' appears twice in the directory", p, t.name.c_str());
    tensors_.push_back(std::move(t));
  }
  if (r.remaining() != 0)
    Fail(ExitCode::kBadModel, "%s: %zu bytes left over after %llu directory entries", p, r.remaining(),
         ULL(h.tensor_count));
}

const TensorView* Ecgr1File::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

void Ecgr1File::Prefetch() const { file_.WillNeed(data_offset_, data_size_); }

// ---------------------------------------------------------------------------
// Writer

namespace {

// Where each tensor goes: offsets relative to the data section.
struct Plan {
  Header header;
  std::string metadata;   // JSON text
  std::string directory;  // encoded entries
  std::vector<uint64_t> offsets, nbytes;
};

// Checks the specs and computes the whole layout before a byte is written.
Plan MakePlan(const std::string& path, const json& metadata, const std::vector<Ecgr1TensorSpec>& tensors) {
  const char* p = path.c_str();
  Plan plan;
  if (!metadata.is_object()) Fail(ExitCode::kBadModel, "%s: metadata must be a JSON object", p);
  try {
    plan.metadata = metadata.dump();
  } catch (const json::exception& e) {  // e.g. a string that is not valid UTF-8
    Fail(ExitCode::kBadModel, "%s: metadata cannot be written as JSON: %s", p, e.what());
  }
  std::set<std::string> names;
  uint64_t end = 0;  // end of the previous tensor in the data section
  for (const Ecgr1TensorSpec& s : tensors) {
    const char* n = s.name.c_str();
    if (s.name.empty() || s.name.size() > kMaxNameBytes || !IsValidUtf8(s.name))
      Fail(ExitCode::kBadModel, "%s: tensor name '%s' must be 1..%llu bytes of UTF-8", p, n, ULL(kMaxNameBytes));
    if (!names.insert(s.name).second) Fail(ExitCode::kBadModel, "%s: tensor '%s' given twice", p, n);
    if (s.shape.size() > kMaxDims)
      Fail(ExitCode::kBadModel, "%s: tensor '%s': %zu dimensions, at most %u", p, n, s.shape.size(), kMaxDims);
    if (!s.fill) Fail(ExitCode::kInternal, "%s: tensor '%s' has no fill function", p, n);
    const uint64_t bytes = CheckedBytes(p, s.name, s.dtype, s.shape);
    const uint64_t offset = AlignUp(end, kEcgr1Alignment);
    if (AddOverflow(offset, bytes, &end) || end > (uint64_t{1} << 62))
      Fail(ExitCode::kBadModel, "%s: tensor '%s': data section would exceed 2^62 bytes", p, n);
    plan.offsets.push_back(offset);
    plan.nbytes.push_back(bytes);

    PutU32(&plan.directory, static_cast<uint32_t>(s.name.size()));
    plan.directory += s.name;
    PutU32(&plan.directory, static_cast<uint32_t>(s.dtype));
    PutU32(&plan.directory, static_cast<uint32_t>(s.shape.size()));
    for (uint64_t d : s.shape) PutU64(&plan.directory, d);
    PutU64(&plan.directory, offset);
    PutU64(&plan.directory, bytes);
  }
  Header& h = plan.header;
  h.metadata_offset = kHeaderBytes;
  h.metadata_size = plan.metadata.size();
  h.directory_offset = h.metadata_offset + h.metadata_size;
  h.directory_size = plan.directory.size();
  h.tensor_count = tensors.size();
  h.data_offset = AlignUp(h.directory_offset + h.directory_size, kDataStartAlign);
  h.data_size = AlignUp(end, kEcgr1Alignment);  // pad after the last tensor too
  return plan;
}

}  // namespace

void WriteEcgr1(const std::string& path, const json& metadata, const std::vector<Ecgr1TensorSpec>& tensors,
                const ProgressFn& progress) {
  const Plan plan = MakePlan(path, metadata, tensors);
  const Header& h = plan.header;
  uint64_t total = 0;
  for (uint64_t b : plan.nbytes) total += b;  // <= data_size: cannot overflow

  AtomicOutputFile out(path);  // removes its temporary file unless committed
  const std::string header = EncodeHeader(h);
  out.Write(header.data(), header.size());
  out.Write(plan.metadata.data(), plan.metadata.size());
  out.Write(plan.directory.data(), plan.directory.size());
  out.WriteZeros(h.data_offset - out.offset());
  if (progress) progress(0, total);

  // One buffer, grown to the largest tensor seen so far; each fill() gets a
  // zeroed span of its tensor's size.
  std::vector<uint8_t> buf;
  uint64_t done = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    out.WriteZeros(h.data_offset + plan.offsets[i] - out.offset());
    const uint64_t n = plan.nbytes[i];
    buf.assign(n > 0 ? n : 1, 0);  // dst is never null, even for an empty tensor
    tensors[i].fill(buf.data(), n);
    out.Write(buf.data(), n);
    done += n;
    if (progress) progress(done, total);
  }
  out.WriteZeros(h.data_offset + h.data_size - out.offset());
  out.Commit();
}

void WriteEcgr1Mapped(const std::string& path, const json& metadata, const std::vector<Ecgr1TensorSpec>& tensors,
                      const ProgressFn& progress) {
  const Plan plan = MakePlan(path, metadata, tensors);
  const Header& h = plan.header;
  uint64_t total = 0;
  for (uint64_t b : plan.nbytes) total += b;

  AtomicOutputFile out(path);
  const std::string header = EncodeHeader(h);
  out.Write(header.data(), header.size());
  out.Write(plan.metadata.data(), plan.metadata.size());
  out.Write(plan.directory.data(), plan.directory.size());
  out.WriteZeros(h.data_offset - out.offset());  // data_offset is a multiple of the page size (kDataStartAlign)
  uint8_t* data = out.MapRest(h.data_offset + h.data_size);
  if (progress) progress(0, total);
  uint64_t done = 0;
  static uint8_t empty[1];
  for (size_t i = 0; i < tensors.size(); ++i) {
    const uint64_t n = plan.nbytes[i];
    tensors[i].fill(n > 0 ? data + plan.offsets[i] : empty, n);
    done += n;
    if (progress) progress(done, total);
  }
  out.Commit();
}

}  // namespace ecgr1
