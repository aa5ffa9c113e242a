// matmul_tiled_neon-inl.h — q8 / q4 matrix products with NEON.
//
// Included by matmul_tiled_neon.cc (ECGR1_NEON_DOTPROD 0: every arm64 CPU)
// and matmul_tiled_neon_dotprod.cc (ECGR1_NEON_DOTPROD 1: compiled for
// Armv8.2 + dotprod); everything here has internal linkage.
//
// The tile layout (quant/tiled_quant.h) is used as stored: a 64-byte quad of
// 16 rows x 4 codes is four 128-bit registers of 4 rows x 4 codes. Codes
// become signed weights first (q8: code ^ 0x80; q4: code - 8), so the
// integer sums are sum q_w q_x directly, the same integers as
// sum code_w q_x - zero_point * sum q_x. Per activation row, the 4 bytes of
// quad j are repeated in all four 32-bit lanes, then:
//   dotprod: SDOT adds each lane's 4 products into that row's 32-bit sum;
//   plain:   SMULL / SMULL2 make 16-bit products (|q_w q_x| <= 128 * 127),
//            SADALP adds their pairs into 32-bit sums, and one ADDP per
//            block joins the two pairs of each row.
// Then per block the float step of tiled_quant.h (FMLA is a fused
// multiply-add, like std::fma), so results equal the scalar twin bit for bit.
#ifndef ECGR1_NEON_DOTPROD
#error "define ECGR1_NEON_DOTPROD (0 or 1) before including matmul_tiled_neon-inl.h"
#endif

#include <arm_neon.h>

#include <cstring>

#include "kernels/matmul_tiled.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {
namespace kernels {
namespace {

using quant::kBlock;
using quant::kScaleBytes;
using quant::kTileRows;

// Quad j (0..7) of a tile as signed weights, rows 4i..4i+3 in w[i].
template <bool kQ4>
inline void LoadQuad(const uint8_t* tile, int j, int8x16_t w[4]) {
  if (!kQ4) {
    const uint8_t* quad = tile + kScaleBytes + 64 * j;
    for (int i = 0; i < 4; ++i) w[i] = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(quad + 16 * i), vdupq_n_u8(0x80)));
    return;
  }
  // q4 keeps quads j and j + 4 in the low and high nibbles of one chunk.
  const uint8_t* chunk = tile + kScaleBytes + 64 * (j & 3);
  for (int i = 0; i < 4; ++i) {
    const uint8x16_t raw = vld1q_u8(chunk + 16 * i);
    const uint8x16_t code = j >= 4 ? vshrq_n_u8(raw, 4) : vandq_u8(raw, vdupq_n_u8(0x0F));
    w[i] = vsubq_s8(vreinterpretq_s8_u8(code), vdupq_n_s8(8));
  }
}

// The 4 activation bytes of quad j, in every 32-bit lane.
inline int8x16_t BroadcastQuad(const int8_t* x, int j) {
  int32_t x4;
  std::memcpy(&x4, x + 4 * j, 4);
  return vreinterpretq_s8_s32(vdupq_n_s32(x4));
}

// Integer block sums of row group g x activation rows [t0, t0 + kN) for
// block b: s[t][i] holds rows 4i..4i+3.
template <bool kQ4, int kN>
inline void BlockSums(const TiledProduct& p, size_t g, size_t t0, size_t b, int32x4_t s[kN][4]) {
  const size_t cols = p.cols;
  const int8_t* x = p.q + t0 * cols + b * kBlock;
  const uint8_t* tile = p.w + g * p.group_bytes + b * p.tile_bytes;
#if ECGR1_NEON_DOTPROD
  for (int t = 0; t < kN; ++t)
    for (int i = 0; i < 4; ++i) s[t][i] = vdupq_n_s32(0);
  for (int j = 0; j < 8; ++j) {
    int8x16_t w[4];
    LoadQuad<kQ4>(tile, j, w);
    for (int t = 0; t < kN; ++t) {
      const int8x16_t xv = BroadcastQuad(x + t * cols, j);
      for (int i = 0; i < 4; ++i) s[t][i] = vdotq_s32(s[t][i], w[i], xv);
    }
  }
#else
  int32x4_t lo[kN][4], hi[kN][4];  // rows 4i, 4i+1 and 4i+2, 4i+3: two pair sums each
  for (int t = 0; t < kN; ++t)
    for (int i = 0; i < 4; ++i) lo[t][i] = hi[t][i] = vdupq_n_s32(0);
  for (int j = 0; j < 8; ++j) {
    int8x16_t w[4];
    LoadQuad<kQ4>(tile, j, w);
    for (int t = 0; t < kN; ++t) {
      const int8x16_t xv = BroadcastQuad(x + t * cols, j);
      for (int i = 0; i < 4; ++i) {
        lo[t][i] = vpadalq_s16(lo[t][i], vmull_s8(vget_low_s8(w[i]), vget_low_s8(xv)));
        hi[t][i] = vpadalq_s16(hi[t][i], vmull_high_s8(w[i], xv));
      }
    }
  }
  for (int t = 0; t < kN; ++t)
    for (int i = 0; i < 4; ++i) s[t][i] = vpaddq_s32(lo[t][i], hi[t][i]);
#endif
}

// Row group g x activation rows [t0, t0 + kN), all blocks.
template <bool kQ4, int kN>
void Tile(const TiledProduct& p, size_t g, size_t t0) {
  float32x4_t acc[kN][4];
  for (int t = 0; t < kN; ++t)
    for (int i = 0; i < 4; ++i) acc[t][i] = vdupq_n_f32(0.0f);
  for (size_t b = 0; b < p.nb; ++b) {
    int32x4_t s[kN][4];
    BlockSums<kQ4, kN>(p, g, t0, b, s);
    const uint8_t* tile = p.w + g * p.group_bytes + b * p.tile_bytes;
    float32x4_t dw[4];
    for (int i = 0; i < 4; ++i) dw[i] = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(tile) + 4 * i)));
    for (int t = 0; t < kN; ++t) {
      const float xs = p.scale[(t0 + t) * p.nb + b];
      for (int i = 0; i < 4; ++i) acc[t][i] = vfmaq_f32(acc[t][i], vcvtq_f32_s32(s[t][i]), vmulq_n_f32(dw[i], xs));
    }
  }
  const size_t r0 = g * kTileRows;
  const size_t live = p.rows - r0 < kTileRows ? p.rows - r0 : kTileRows;
  for (int t = 0; t < kN; ++t) {
    float out[kTileRows];
    for (int i = 0; i < 4; ++i) vst1q_f32(out + 4 * i, acc[t][i]);
    if (p.bias != nullptr)
      for (size_t r = 0; r < live; ++r) out[r] += p.bias[r0 + r];
    std::memcpy(p.y + (t0 + t) * p.rows + r0, out, live * sizeof(float));
  }
}

// Activation rows [t0, t0 + count), count <= kN, for row group g.
template <bool kQ4, int kN>
void Rows(const TiledProduct& p, size_t g, size_t t0, size_t count) {
  if constexpr (kN > 1) {
    if (count < static_cast<size_t>(kN)) return Rows<kQ4, kN - 1>(p, g, t0, count);
  }
  Tile<kQ4, kN>(p, g, t0);
}

// Activation rows per register tile: as many as the 32 registers hold with
// 4 weight registers (sums: 4 per row with SDOT, 8 pair sums without).
constexpr int kTileN = ECGR1_NEON_DOTPROD ? 3 : 2;

template <bool kQ4>
void Run(const TiledProduct& p, bool parallel) {
  const size_t n = p.n;
  ForRowGroups(p.groups, n < static_cast<size_t>(kTileN) ? 2 : 1, parallel, [&](size_t g0, size_t g1) {
    for (size_t g = g0; g < g1; ++g)
      for (size_t t = 0; t < n; t += kTileN)
        Rows<kQ4, kTileN>(p, g, t, n - t < static_cast<size_t>(kTileN) ? n - t : kTileN);
  });
}

void RunTiled(const TiledProduct& p, bool parallel) {
  if (p.type == DType::kQ4)
    Run<true>(p, parallel);
  else
    Run<false>(p, parallel);
}

}  // namespace
}  // namespace kernels
}  // namespace ecgr1
