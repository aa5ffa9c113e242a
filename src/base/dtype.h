// dtype.h — element types of tensors, one table of their sizes.
//
// Codes are stored in .ecgr1 files (weights/FORMAT.md); never renumber.
// Block-quantized types store `block` weights in `block_bytes` bytes; a row
// of a block type must be a whole number of blocks.
#pragma once

#include <cstdint>
#include <string>

namespace ecgr1 {

enum class DType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kBF16 = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kU8 = 7,
  kBool = 8,
  kF64 = 9,
  // 16..31 reserved for block-quantized weight types (issue 7): e.g. kQ8 = 16, kQ4 = 17.
};

struct DTypeInfo {
  DType type;
  const char* name;         // our name: "f32", "bf16", ...
  const char* st_name;      // safetensors name: "F32", "BF16", ... (nullptr if none)
  uint32_t block;           // elements per block (1 for plain types)
  uint32_t block_bytes;     // bytes per block
};

// Returns nullptr for an unknown code.
const DTypeInfo* FindDType(uint32_t code);
const DTypeInfo* FindDTypeBySafetensorsName(const std::string& name);
const DTypeInfo* FindDTypeByName(const std::string& name);
const DTypeInfo& Info(DType t);

// Bytes of `n` elements of type t; false if n is not a whole number of blocks
// or the product overflows.
bool BytesOf(DType t, uint64_t n, uint64_t* bytes);

}  // namespace ecgr1
