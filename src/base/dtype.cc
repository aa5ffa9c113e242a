#include "base/dtype.h"

#include "base/error.h"

namespace ecgr1 {

static const DTypeInfo kTypes[] = {
    {DType::kF32, "f32", "F32", 1, 4},   {DType::kF16, "f16", "F16", 1, 2},
    {DType::kBF16, "bf16", "BF16", 1, 2}, {DType::kI8, "i8", "I8", 1, 1},
    {DType::kI16, "i16", "I16", 1, 2},   {DType::kI32, "i32", "I32", 1, 4},
    {DType::kI64, "i64", "I64", 1, 8},   {DType::kU8, "u8", "U8", 1, 1},
    {DType::kBool, "bool", "BOOL", 1, 1}, {DType::kF64, "f64", "F64", 1, 8},
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
  if (n % info.block != 0) return false;
  return !__builtin_mul_overflow(n / info.block, static_cast<uint64_t>(info.block_bytes), bytes);
}

}  // namespace ecgr1
