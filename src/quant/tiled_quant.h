// tiled_quant.h — the q8 / q4 weight layout, and int8 activation blocks.
//
// A quantized weight matrix [rows, cols] (cols a multiple of 32) is cut into
// tiles of 16 rows x 32 columns. Each row's 32 weights share one f16 scale d;
// a weight is d * q with q in [-127, 127] (q8) or [-8, 7] (q4), stored as the
// unsigned code q + zero_point (128 or 8). Tiles are stored row group by row
// group (16 rows), column block by column block, so one row group is one
// contiguous byte range. Rows past `rows` in the last group are padding
// (scale 0, code = zero point). One tile:
//
//   bytes  0..31   16 f16 scales, row 0..15 of the group
//   q8:    32..543 8 quads of 64 bytes; quad j byte 4r+i = code of
//                  (row r, column 4j+i)
//   q4:    32..287 4 chunks of 64 bytes; chunk c byte 4r+i holds the code of
//                  (row r, column 4c+i) in its low nibble and of
//                  (row r, column 16+4c+i) in its high nibble
//
// One 64-byte quad is one AVX-512 register of 16 rows x 4 codes: the layout
// of VNNI's vpdpbusd (u8 x s8, four products summed per 32-bit lane), which
// then adds 16 rows' partial dot products at once, no horizontal sums.
//
// Activations are quantized per 32 values (a block of one activation row) to
// int8 with an f32 scale (amax / 127), and the sum of the block's codes is
// kept: sum_k code_w * q_x = sum_k q_w * q_x + zero_point * sum_k q_x. Every
// kernel (scalar, Highway, intrinsics) computes, for each output, in block
// order:  acc = fma(float(dot_b - zero_point * xsum_b), d_w * d_x, acc)
// so all of them agree bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/dtype.h"

namespace ecgr1 {
namespace quant {

constexpr size_t kBlock = 32;     // weights per scale, per row
constexpr size_t kTileRows = 16;  // rows interleaved in one tile
constexpr size_t kScaleBytes = kTileRows * 2;

// True for the block-quantized matrix types (q8, q4).
bool IsTiled(DType t);
// Bytes of one tile (16 rows x 32 columns): 544 for q8, 288 for q4.
size_t TileBytes(DType t);
// The code of q = 0: 128 for q8, 8 for q4.
int ZeroPoint(DType t);
inline size_t RowGroups(size_t rows) { return (rows + kTileRows - 1) / kTileRows; }
inline size_t RowGroupBytes(DType t, size_t cols) { return cols / kBlock * TileBytes(t); }

// Quantizes row group g (rows 16g .. 16g+15, those < rows) of the f32 matrix
// w [rows, cols] into `out` (RowGroupBytes bytes). Non-finite weights count
// as 0 when the scale is chosen and are stored as 0.
void QuantizeRowGroup(DType t, const float* w, size_t rows, size_t cols, size_t g, uint8_t* out);

// The signed code q of weight (r, c) and the f32 scale of its block.
int Code(DType t, const uint8_t* data, size_t cols, size_t r, size_t c);
float Scale(DType t, const uint8_t* data, size_t cols, size_t r, size_t c);

// One tile's 16 x 32 unsigned codes (row-major, zero point included) and its
// 16 scales.
void UnpackTile(DType t, const uint8_t* tile, int16_t codes[kTileRows * kBlock], float scales[kTileRows]);

// out[c] = Scale * Code for one row.
void DequantizeRow(DType t, const uint8_t* data, size_t cols, size_t r, float* out);

// n activation rows of `cols` values (cols a multiple of 32) as int8 blocks.
// Storage grows and is reused, so quantizing per token does not allocate.
struct ActivationBlocks {
  size_t n = 0, cols = 0;
  std::vector<int8_t> q;      // [n, cols]
  std::vector<float> scale;   // [n, cols / 32]
  std::vector<int32_t> sum;   // [n, cols / 32]: sum of the block's codes

  void Quantize(const float* x, size_t rows, size_t row_cols);
  size_t blocks() const { return cols / kBlock; }

  // The parts of Quantize, for vectorised versions of it: sizes the storage
  // for rows x row_cols, and quantizes block i (of n * cols / 32) from x.
  void Reserve(size_t rows, size_t row_cols);
  void QuantizeBlock(const float* x, size_t i);
};

}  // namespace quant
}  // namespace ecgr1
