// dtype.h — element types of tensors, one table of their sizes.
//
// Codes are stored in .ecgr1 files (weights/FORMAT.md); never renumber.
// Block-quantized types store `block` weights of a row in `block_bytes` bytes
// (codes plus that row's block scale); a row must be a whole number of blocks.
// They are 2-D only and interleave `tile_rows` rows per tile for the
// dot-product instructions, so the row count is padded to a multiple of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
  // 16..31: block-quantized weight matrices (layout: src/quant/tiled_quant.h).
  kQ8 = 16,
  kQ4 = 17,
};

struct DTypeInfo {
  DType type;
  const char* name;         // our name: "f32", "bf16", ...
  const char* st_name;      // safetensors name: "F32", "BF16", ... (nullptr if none)
  uint32_t block;           // elements per block (1 for plain types)
  uint32_t block_bytes;     // bytes per block
  uint32_t tile_rows;       // rows interleaved per tile (1 for plain types)
};

// Returns nullptr for an unknown code.
const DTypeInfo* FindDType(uint32_t code);
const DTypeInfo* FindDTypeBySafetensorsName(const std::string& name);
const DTypeInfo* FindDTypeByName(const std::string& name);
const DTypeInfo& Info(DType t);

// Bytes of `n` elements of a plain type t (block 1, tile 1); false if the
// product overflows.
bool BytesOf(DType t, uint64_t n, uint64_t* bytes);

// Bytes of a tensor of `shape` in type t, any type. False with a reason in
// `why` (if non-null) when the shape does not fit the type (a block type
// needs 2 dimensions with whole blocks per row) or the size overflows.
bool TensorBytes(DType t, const std::vector<uint64_t>& shape, uint64_t* bytes, std::string* why = nullptr);

// Effective bits per weight of type t (scales included, row padding not).
double BitsPerWeight(DType t);

}  // namespace ecgr1
