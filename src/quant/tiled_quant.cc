#include "quant/tiled_quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/bf16.h"
#include "base/error.h"

namespace ecgr1 {
namespace quant {
namespace {

// Largest finite f16: a block scale is clamped to it.
constexpr float kMaxF16 = 65504.0f;

int MaxCode(DType t) { return t == DType::kQ8 ? 127 : 7; }

// Byte of tile `tile` holding (row r, column c within the block), and for q4
// whether it is the high nibble.
size_t CodeByte(DType t, size_t r, size_t c, bool* high) {
  if (t == DType::kQ8) {
    *high = false;
    return kScaleBytes + (c / 4) * 64 + 4 * r + c % 4;
  }
  *high = c >= 16;
  const size_t cc = c % 16;
  return kScaleBytes + (cc / 4) * 64 + 4 * r + cc % 4;
}

const uint8_t* TileOf(DType t, const uint8_t* data, size_t cols, size_t r, size_t c) {
  return data + (r / kTileRows) * RowGroupBytes(t, cols) + (c / kBlock) * TileBytes(t);
}

}  // namespace

bool IsTiled(DType t) { return t == DType::kQ8 || t == DType::kQ4; }

// One place for the layout's numbers, checked against the dtype table.
static_assert(kScaleBytes + 8 * 64 == 16 * 34, "q8 tile: scales + 8 quads = 16 rows x 34 bytes");
static_assert(kScaleBytes + 4 * 64 == 16 * 18, "q4 tile: scales + 4 chunks = 16 rows x 18 bytes");

size_t TileBytes(DType t) {
  if (!IsTiled(t)) Fail(ExitCode::kInternal, "%s is not a tiled quantized type", Info(t).name);
  const DTypeInfo& info = Info(t);
  if (info.block != kBlock || info.tile_rows != kTileRows)  // the dtype table and this layout must agree
    Fail(ExitCode::kInternal, "%s: dtype table block %u x %u rows, layout %zu x %zu", info.name, info.block,
         info.tile_rows, kBlock, kTileRows);
  return kTileRows * info.block_bytes;
}

int ZeroPoint(DType t) { return t == DType::kQ8 ? 128 : 8; }

void QuantizeRowGroup(DType t, const float* w, size_t rows, size_t cols, size_t g, uint8_t* out) {
  const size_t tile_bytes = TileBytes(t);
  const int zp = ZeroPoint(t), qmax = MaxCode(t);
  for (size_t b = 0; b < cols / kBlock; ++b) {
    uint8_t* tile = out + b * tile_bytes;
    std::memset(tile, 0, kScaleBytes);
    std::memset(tile + kScaleBytes, t == DType::kQ8 ? zp : (zp | zp << 4), tile_bytes - kScaleBytes);
    for (size_t r = 0; r < kTileRows && g * kTileRows + r < rows; ++r) {
      const float* src = w + (g * kTileRows + r) * cols + b * kBlock;
      // q8: d = amax / 127. q4 (symmetric, 16 levels): the weight of largest
      // magnitude maps to -8, so d = m / -8 keeps its sign's full range.
      float m = 0.0f;
      for (size_t c = 0; c < kBlock; ++c)
        if (std::isfinite(src[c]) && std::fabs(src[c]) > std::fabs(m)) m = src[c];
      float d = t == DType::kQ8 ? std::fabs(m) / 127.0f : m / -8.0f;
      d = std::max(-kMaxF16, std::min(kMaxF16, d));
      const uint16_t d16 = F32ToF16(d);
      std::memcpy(tile + 2 * r, &d16, 2);
      const float dd = F16ToF32(d16);
      const float id = dd != 0.0f ? 1.0f / dd : 0.0f;
      for (size_t c = 0; c < kBlock; ++c) {
        const float v = std::isfinite(src[c]) ? src[c] * id : 0.0f;
        const int q = static_cast<int>(std::max(static_cast<float>(-qmax - (t == DType::kQ4)),
                                                std::min(static_cast<float>(qmax), std::nearbyint(v))));
        bool high;
        uint8_t& byte = tile[CodeByte(t, r, c, &high)];
        const uint8_t code = static_cast<uint8_t>(q + zp);
        if (t == DType::kQ8)
          byte = code;
        else
          byte = high ? static_cast<uint8_t>((byte & 0x0F) | code << 4) : static_cast<uint8_t>((byte & 0xF0) | code);
      }
    }
  }
}

int Code(DType t, const uint8_t* data, size_t cols, size_t r, size_t c) {
  bool high;
  const uint8_t byte = TileOf(t, data, cols, r, c)[CodeByte(t, r % kTileRows, c % kBlock, &high)];
  const int code = t == DType::kQ8 ? byte : (high ? byte >> 4 : byte & 0x0F);
  return code - ZeroPoint(t);
}

float Scale(DType t, const uint8_t* data, size_t cols, size_t r, size_t c) {
  uint16_t d16;
  std::memcpy(&d16, TileOf(t, data, cols, r, c) + 2 * (r % kTileRows), 2);
  return F16ToF32(d16);
}

void UnpackTile(DType t, const uint8_t* tile, int16_t codes[kTileRows * kBlock], float scales[kTileRows]) {
  for (size_t r = 0; r < kTileRows; ++r) {
    uint16_t d16;
    std::memcpy(&d16, tile + 2 * r, 2);
    scales[r] = F16ToF32(d16);
    for (size_t c = 0; c < kBlock; ++c) {
      bool high;
      const uint8_t byte = tile[CodeByte(t, r, c, &high)];
      codes[r * kBlock + c] = static_cast<int16_t>(t == DType::kQ8 ? byte : (high ? byte >> 4 : byte & 0x0F));
    }
  }
}

void DequantizeRow(DType t, const uint8_t* data, size_t cols, size_t r, float* out) {
  int16_t codes[kTileRows * kBlock];
  float scales[kTileRows];
  const int zp = ZeroPoint(t);
  const size_t i = r % kTileRows, tile_bytes = TileBytes(t);
  const uint8_t* group = data + (r / kTileRows) * RowGroupBytes(t, cols);
  for (size_t b = 0; b < cols / kBlock; ++b) {
    UnpackTile(t, group + b * tile_bytes, codes, scales);
    for (size_t k = 0; k < kBlock; ++k) out[b * kBlock + k] = scales[i] * static_cast<float>(codes[i * kBlock + k] - zp);
  }
}

void ActivationBlocks::Reserve(size_t rows, size_t row_cols) {
  if (row_cols % kBlock != 0)
    Fail(ExitCode::kInternal, "activation rows of %zu values are not whole %zu-value blocks", row_cols, kBlock);
  n = rows;
  cols = row_cols;
  const size_t nb = cols / kBlock;
  if (q.size() < n * cols) q.resize(n * cols);
  if (scale.size() < n * nb) scale.resize(n * nb);
  if (sum.size() < n * nb) sum.resize(n * nb);
}

void ActivationBlocks::QuantizeBlock(const float* src, size_t i) {
  float amax = 0.0f;
  for (size_t k = 0; k < kBlock; ++k) amax = std::max(amax, std::fabs(src[k]));  // NaN-safe: max keeps amax
  float d = std::isfinite(amax) ? amax / 127.0f : 0.0f;
  float id = d != 0.0f ? 127.0f / amax : 0.0f;
  if (!std::isfinite(id)) d = id = 0.0f;  // amax below 127 / FLT_MAX: a zero block
  int8_t* dst = &q[i * kBlock];
  int32_t s = 0;
  for (size_t k = 0; k < kBlock; ++k) {
    const float v = std::nearbyint(src[k] * id);
    const int qv = v >= -127.0f && v <= 127.0f ? static_cast<int>(v) : 0;  // NaN -> 0
    dst[k] = static_cast<int8_t>(qv);
    s += qv;
  }
  scale[i] = d;
  sum[i] = s;
}

void ActivationBlocks::Quantize(const float* x, size_t rows, size_t row_cols) {
  Reserve(rows, row_cols);
  for (size_t i = 0; i < n * cols / kBlock; ++i) QuantizeBlock(x + i * kBlock, i);
}

}  // namespace quant
}  // namespace ecgr1
