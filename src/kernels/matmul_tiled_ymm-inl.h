// matmul_tiled_ymm-inl.h — q8 / q4 matrix products with 256-bit registers.
//
// Included by matmul_tiled_avx2.cc (ECGR1_YMM_VNNI 0: AVX2 + FMA + F16C) and
// matmul_tiled_avxvnni.cc (ECGR1_YMM_VNNI 1: the same + AVX-VNNI), each
// compiled with its own -m flags; everything here has internal linkage, so
// the two copies never meet at link time.
//
// The tile layout (quant/tiled_quant.h) is used as stored: a 64-byte quad of
// 16 rows x 4 codes is two ymm, rows 0-7 and 8-15, each lane one row's 4
// codes. Per 32-column block and activation row, the 4 activation bytes of
// quad j are broadcast to every lane and multiplied with 8 rows at once, so
// row sums build up in the lanes and no horizontal sum is ever taken.
//   AVX-VNNI: vpdpbusd (u8 code x s8 activation, 4 products summed per lane)
//     into a sum that starts at the zero point's share, as on AVX-512.
//   AVX2, q4: vpmaddubsw (u8 x s8 -> pairs summed in s16) on codes 0..15:
//     |pair| <= 2 * 15 * 127, so the 8 quads of a block add up in s16
//     without saturating (<= 30480), then one vpmaddwd makes the 4-sums.
//   AVX2, q8: codes up to 255 would saturate vpmaddubsw's s16 pairs, so the
//     signed weight q = code ^ 0x80 is used: |q| (unsigned) times the
//     activation carrying q's sign (vpsignb) gives q * x exactly, each pair
//     <= 2 * 128 * 127; vpmaddwd by ones makes the 4-sums. This computes
//     sum q_w q_x directly, which is the same integer as
//     sum code_w q_x - zero_point * sum q_x.
// Then per block the float step of tiled_quant.h, in block order, so the
// results equal the scalar twin bit for bit.
#ifndef ECGR1_YMM_VNNI
#error "define ECGR1_YMM_VNNI (0 or 1) before including matmul_tiled_ymm-inl.h"
#endif

#include <immintrin.h>

#include <cstring>

#include "kernels/matmul_tiled.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {
namespace kernels {
namespace {

using quant::kBlock;
using quant::kScaleBytes;
using quant::kTileRows;

// Quad j (0..7) of a tile as unsigned codes: rows 0-7 in *lo, 8-15 in *hi.
// q4 keeps quads j and j + 4 in the low and high nibbles of one 64-byte chunk.
template <bool kQ4>
inline void LoadQuad(const uint8_t* tile, int j, __m256i* lo, __m256i* hi) {
  if (!kQ4) {
    *lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tile + kScaleBytes + 64 * j));
    *hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tile + kScaleBytes + 64 * j + 32));
    return;
  }
  const uint8_t* chunk = tile + kScaleBytes + 64 * (j & 3);
  __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunk));
  __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunk + 32));
  if (j >= 4) {
    a = _mm256_srli_epi16(a, 4);
    b = _mm256_srli_epi16(b, 4);
  }
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  *lo = _mm256_and_si256(a, nibble);
  *hi = _mm256_and_si256(b, nibble);
}

// The 4 activation bytes of quad j, in every lane.
inline __m256i BroadcastQuad(const int8_t* x, int j) {
  int32_t x4;
  std::memcpy(&x4, x + 4 * j, 4);
  return _mm256_set1_epi32(x4);
}

// Integer block sums of kG row groups x kN activation rows for block b:
// s[g][t][h] holds rows 8h..8h+7 of group g0 + g against activation row
// t0 + t, zero point's share included.
template <bool kQ4, int kG, int kN>
inline void BlockSums(const TiledProduct& p, size_t g0, size_t t0, size_t b, __m256i s[kG][kN][2]) {
  const size_t cols = p.a->cols;
  const int8_t* x = p.a->q.data() + t0 * cols + b * kBlock;
  const uint8_t* tile[kG];
  for (int g = 0; g < kG; ++g) tile[g] = p.w + (g0 + g) * p.group_bytes + b * p.tile_bytes;
#if ECGR1_YMM_VNNI
  for (int t = 0; t < kN; ++t) {
    const __m256i c = _mm256_set1_epi32(p.corr[(t0 + t) * p.nb + b]);
    for (int g = 0; g < kG; ++g) s[g][t][0] = s[g][t][1] = c;
  }
  for (int j = 0; j < 8; ++j) {
    __m256i w[kG][2];
    for (int g = 0; g < kG; ++g) LoadQuad<kQ4>(tile[g], j, &w[g][0], &w[g][1]);
    for (int t = 0; t < kN; ++t) {
      const __m256i xv = BroadcastQuad(x + t * cols, j);
      for (int g = 0; g < kG; ++g)
        for (int h = 0; h < 2; ++h) s[g][t][h] = _mm256_dpbusd_avx_epi32(s[g][t][h], w[g][h], xv);
    }
  }
#else
  const __m256i ones = _mm256_set1_epi16(1);
  if (kQ4) {
    __m256i s16[kG][kN][2];
    for (int g = 0; g < kG; ++g)
      for (int t = 0; t < kN; ++t) s16[g][t][0] = s16[g][t][1] = _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) {
      __m256i w[kG][2];
      for (int g = 0; g < kG; ++g) LoadQuad<true>(tile[g], j, &w[g][0], &w[g][1]);
      for (int t = 0; t < kN; ++t) {
        const __m256i xv = BroadcastQuad(x + t * cols, j);
        for (int g = 0; g < kG; ++g)
          for (int h = 0; h < 2; ++h)
            s16[g][t][h] = _mm256_add_epi16(s16[g][t][h], _mm256_maddubs_epi16(w[g][h], xv));
      }
    }
    for (int t = 0; t < kN; ++t) {
      const __m256i c = _mm256_set1_epi32(p.corr[(t0 + t) * p.nb + b]);
      for (int g = 0; g < kG; ++g)
        for (int h = 0; h < 2; ++h) s[g][t][h] = _mm256_add_epi32(_mm256_madd_epi16(s16[g][t][h], ones), c);
    }
  } else {
    for (int g = 0; g < kG; ++g)
      for (int t = 0; t < kN; ++t) s[g][t][0] = s[g][t][1] = _mm256_setzero_si256();
    const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
    for (int j = 0; j < 8; ++j) {
      __m256i q[kG][2], mag[kG][2];  // signed weights and their magnitudes
      for (int g = 0; g < kG; ++g) {
        LoadQuad<false>(tile[g], j, &q[g][0], &q[g][1]);
        for (int h = 0; h < 2; ++h) {
          q[g][h] = _mm256_xor_si256(q[g][h], flip);
          mag[g][h] = _mm256_abs_epi8(q[g][h]);
        }
      }
      for (int t = 0; t < kN; ++t) {
        const __m256i xv = BroadcastQuad(x + t * cols, j);
        for (int g = 0; g < kG; ++g)
          for (int h = 0; h < 2; ++h) {
            const __m256i pairs = _mm256_maddubs_epi16(mag[g][h], _mm256_sign_epi8(xv, q[g][h]));
            s[g][t][h] = _mm256_add_epi32(s[g][t][h], _mm256_madd_epi16(pairs, ones));
          }
      }
    }
  }
#endif
}

// Row groups [g0, g0 + kG) x activation rows [t0, t0 + kN), all blocks.
template <bool kQ4, int kG, int kN>
void Tile(const TiledProduct& p, size_t g0, size_t t0) {
  __m256 acc[kG][kN][2];
  for (int g = 0; g < kG; ++g)
    for (int t = 0; t < kN; ++t) acc[g][t][0] = acc[g][t][1] = _mm256_setzero_ps();
  for (size_t b = 0; b < p.nb; ++b) {
    __m256i s[kG][kN][2];
    BlockSums<kQ4, kG, kN>(p, g0, t0, b, s);
    for (int g = 0; g < kG; ++g) {
      const uint8_t* tile = p.w + (g0 + g) * p.group_bytes + b * p.tile_bytes;
      const __m256 dw[2] = {_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tile))),
                            _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tile + 16)))};
      for (int t = 0; t < kN; ++t) {
        const __m256 xs = _mm256_set1_ps(p.a->scale[(t0 + t) * p.nb + b]);
        for (int h = 0; h < 2; ++h)
          acc[g][t][h] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[g][t][h]), _mm256_mul_ps(dw[h], xs), acc[g][t][h]);
      }
    }
  }
  for (int g = 0; g < kG; ++g) {
    const size_t r0 = (g0 + g) * kTileRows;
    const size_t live = p.rows - r0 < kTileRows ? p.rows - r0 : kTileRows;
    for (int t = 0; t < kN; ++t) {
      float out[kTileRows];
      _mm256_storeu_ps(out, acc[g][t][0]);
      _mm256_storeu_ps(out + 8, acc[g][t][1]);
      if (p.bias != nullptr)
        for (size_t r = 0; r < live; ++r) out[r] += p.bias[r0 + r];
      std::memcpy(p.y + (t0 + t) * p.rows + r0, out, live * sizeof(float));
    }
  }
}

// Activation rows [t0, t0 + count), count <= kN, for row groups [g0, g0 + kG).
template <bool kQ4, int kG, int kN>
void Rows(const TiledProduct& p, size_t g0, size_t t0, size_t count) {
  if constexpr (kN > 1) {
    if (count < static_cast<size_t>(kN)) return Rows<kQ4, kG, kN - 1>(p, g0, t0, count);
  }
  Tile<kQ4, kG, kN>(p, g0, t0);
}

// Activation rows per register tile when prefilling: as many as the 16 ymm
// registers hold with the weights (block sums of 2 halves per row).
constexpr int kPrefillRows = ECGR1_YMM_VNNI ? 6 : 4;

template <bool kQ4>
void Run(const TiledProduct& p, bool parallel) {
  const size_t n = p.a->n;
  constexpr int kN = !ECGR1_YMM_VNNI && !kQ4 ? 3 : kPrefillRows;  // q8 on AVX2 needs 4 weight registers
  if (n <= 2) {
    // Decode: bound by memory. Two row groups at a time give four independent
    // sums per activation row to hide the multiply-add latency.
    ForRowGroups(p.groups, 2, parallel, [&](size_t g0, size_t g1) {
      if (g1 - g0 == 2)
        Rows<kQ4, 2, 2>(p, g0, 0, n);
      else
        Rows<kQ4, 1, 2>(p, g0, 0, n);
    });
    return;
  }
  ForRowGroups(p.groups, 1, parallel, [&](size_t g0, size_t) {
    for (size_t t = 0; t < n; t += kN) Rows<kQ4, 1, kN>(p, g0, t, n - t < static_cast<size_t>(kN) ? n - t : kN);
  });
}

void RunTiled(const WeightMatrix& w, const quant::ActivationBlocks& a, float* y, const float* bias, bool parallel) {
  const TiledProduct p(w, a, y, bias);
  if (w.type == DType::kQ4)
    Run<true>(p, parallel);
  else
    Run<false>(p, parallel);
}

}  // namespace
}  // namespace kernels
}  // namespace ecgr1
