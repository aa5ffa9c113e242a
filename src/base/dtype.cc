#include "base/dtype.h"

#include "base/error.h"

namespace ecgr1 {

static const DTypeInfo kTypes[] = {
    {DType::kF32, "f32", "F32", 1, 4, 1},   {DType::kF16, "f16", "F16", 1, 2, 1},
    {DType::kBF16, "bf16", "BF16", 1, 2, 1}, {DType::kI8, "i8", "I8", 1, 1, 1},
    {DType::kI16, "i16", "I16", 1, 2, 1},   {DType::kI32, "i32", "I32", 1, 4, 1},
    {DType::kI64, "i64", "I64", 1, 8, 1},   {DType::kU8, "u8", "U8", 1, 1, 1},
    {DType::kBool, "bool", "BOOL", 1, 1, 1}, {DType::kF64, "f64", "F64", 1, 8, 1},
    // 32 weights of a row: an f16 scale + 32 int8 codes / + 16 bytes of nibbles.
    {DType::kQ8, "q8", nullptr, 32, 34, 16}, {DType::kQ4, "q4", nullptr, 32, 18, 16},
};

const DTypeInfo* FindDType(uint32_t code) {
  for (const DTypeInfo& t : kTypes)
    if (static_cast<uint32_t>(t.type) == code) return &t;
  return nullptr;
}

const DTypeInfo* FindDTypeBySafetensorsName(const std::string& name) {
  for (const DTypeInfo& t : kTypes)
    if (t.st_name != nullptr && name == t.st_name) return &t;
  return nullptr;
}

const DTypeInfo* FindDTypeByName(const std::string& name) {
  for (const DTypeInfo& t : kTypes)
    if (name == t.name) return &t;
  return nullptr;
}

const DTypeInfo& Info(DType t) {
  const DTypeInfo* info = FindDType(static_cast<uint32_t>(t));
  if (info == nullptr)  // our bug: every enum value is in the table
    Fail(ExitCode::kInternal, "dtype code %u has no entry in the dtype table", static_cast<uint32_t>(t));
  return *info;
}

bool BytesOf(DType t, uint64_t n, uint64_t* bytes) {
  const DTypeInfo& info = Info(t);
  if (info.block != 1 || info.tile_rows != 1) return false;
  return !__builtin_mul_overflow(n, static_cast<uint64_t>(info.block_bytes), bytes);
}

bool TensorBytes(DType t, const std::vector<uint64_t>& shape, uint64_t* bytes, std::string* why) {
  const DTypeInfo& info = Info(t);
  uint64_t numel = 1;
  for (uint64_t d : shape)
    if (__builtin_mul_overflow(numel, d, &numel)) {
      if (why != nullptr) *why = "the element count overflows 64 bits";
      return false;
    }
  if (info.block == 1 && info.tile_rows == 1) {
    if (BytesOf(t, numel, bytes)) return true;
    if (why != nullptr) *why = "the byte size overflows 64 bits";
    return false;
  }
  if (shape.size() != 2) {
    if (why != nullptr) *why = std::string("a ") + info.name + " tensor must have 2 dimensions";
    return false;
  }
  if (shape[1] % info.block != 0) {
    if (why != nullptr) *why = "rows are not whole " + std::to_string(info.block) + "-weight blocks";
    return false;
  }
  // Rows are padded up to whole tiles of tile_rows.
  const uint64_t tiles = shape[0] / info.tile_rows + (shape[0] % info.tile_rows != 0);
  uint64_t b = 0;
  if (__builtin_mul_overflow(tiles, static_cast<uint64_t>(info.tile_rows), &b) ||
      __builtin_mul_overflow(b, shape[1] / info.block, &b) ||
      __builtin_mul_overflow(b, static_cast<uint64_t>(info.block_bytes), &b)) {
    if (why != nullptr) *why = "the byte size overflows 64 bits";
    return false;
  }
  *bytes = b;
  return true;
}

double BitsPerWeight(DType t) {
  const DTypeInfo& info = Info(t);
  return 8.0 * info.block_bytes / info.block;
}

}  // namespace ecgr1
