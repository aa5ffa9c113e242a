// matmul_tiled_ymm-inl.h — q8 / q4 matrix products with 256-bit registers.
//
// Included by matmul_tiled_avx2.cc (ECGR1_YMM_VNNI 0: AVX2 + FMA + F16C) and
// matmul_tiled_avxvnni.cc (ECGR1_YMM_VNNI 1: the same + AVX-VNNI), each
// compiled with its own -m flags; everything here has internal linkage, so
// the two copies never meet at link time.
//
// The tile layout (quant/tiled_quant.h) is used as stored: a 64-byte quad of
// 16 rows x 4 codes is two ymm, rows 0-7 and 8-15, each lane one row's 4
// codes. The micro-kernel holds one half tile (8 rows x 32 columns: 8 ymm)
// in registers while activation rows stream past it; per row, the 4 bytes
// of quad j are broadcast to every lane, so row sums build up in the lanes
// and no horizontal sum is ever taken:
//   AVX-VNNI: vpdpbusd (u8 code x s8 activation, 4 products summed per lane)
//     into a sum that starts at the zero point's share, as on AVX-512.
//   AVX2, q4: vpmaddubsw (u8 x s8 -> pairs summed in s16) on codes 0..15:
//     |pair| <= 2 * 15 * 127, so the 8 quads of a block add up in s16
//     without saturating (<= 30480), then one vpmaddwd makes the 4-sums.
//   AVX2, q8: codes up to 255 would saturate vpmaddubsw's s16 pairs, so the
//     signed weight q = code ^ 0x80 is used: |q| (unsigned, 128 for code 0)
//     times x carrying q's sign (vpsignb) gives q * x exactly, each pair
//     <= 2 * 128 * 127; vpmaddwd by ones makes the 4-sums. That is
//     sum q_w q_x directly, the same integer as
//     sum code_w q_x - zero_point * sum q_x.
// Then per block the float step of tiled_quant.h, in block order, so the
// results equal the scalar twin bit for bit.
//
// Prefill (3 or more activation rows), cache-blocked: the activations are
// copied block-major ([block][row][32]), so the rows that stream past a half
// tile are contiguous; a work item is 8 row groups (their weights stay in L2)
// and walks the activations in chunks of 64 rows whose float sums ([64][16])
// stay in L1. Measured on Sapphire Rapids with the AVX2 cap, 2 threads, a
// 4096 x 4096 q4 matrix and 512 rows: 150 GMAC/s with register tiles of 4
// rows over row-major activations, 200 GMAC/s this way. Decode (1 or 2 rows)
// has its own kernel, DecodeGroups.
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

constexpr size_t kChunkRows = 64;     // activation rows per pass over a half tile
constexpr size_t kGroupsPerItem = 8;  // row groups per work item when prefilling

// Half h (rows 8h..8h+7) of a tile, quad j in w[j]: unsigned codes, except
// AVX2 q8, which takes the signed weights q = code ^ 0x80. q4 keeps quads j
// and j + 4 in the low and high nibbles of one 64-byte chunk.
template <bool kQ4>
inline void LoadHalfTile(const uint8_t* tile, int h, __m256i w[8]) {
  for (int j = 0; j < 8; ++j) {
    const uint8_t* quad = tile + kScaleBytes + 64 * (kQ4 ? j & 3 : j) + 32 * h;
    w[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(quad));
    if (kQ4) w[j] = _mm256_and_si256(j >= 4 ? _mm256_srli_epi16(w[j], 4) : w[j], _mm256_set1_epi8(0x0F));
#if !ECGR1_YMM_VNNI
    if (!kQ4) w[j] = _mm256_xor_si256(w[j], _mm256_set1_epi8(static_cast<char>(0x80)));
#endif
  }
}

// The 4 activation bytes of quad j, in every lane.
inline __m256i BroadcastQuad(const int8_t* x, int j) {
  int32_t x4;
  std::memcpy(&x4, x + 4 * j, 4);
  return _mm256_set1_epi32(x4);
}

// One half tile against one block of activations x (32 codes): the 8 rows'
// integer sums, zero point's share included (corr).
template <bool kQ4>
inline __m256i HalfTileSums(const __m256i w[8], const int8_t* x, int32_t corr) {
#if ECGR1_YMM_VNNI
  // Two chains (even and odd quads) halve vpdpbusd's latency on the critical
  // path; integer sums, so the split changes no result.
  __m256i even = _mm256_set1_epi32(corr), odd = _mm256_setzero_si256();
  for (int j = 0; j < 8; j += 2) {
    even = _mm256_dpbusd_avx_epi32(even, w[j], BroadcastQuad(x, j));
    odd = _mm256_dpbusd_avx_epi32(odd, w[j + 1], BroadcastQuad(x, j + 1));
  }
  return _mm256_add_epi32(even, odd);
#else
  const __m256i ones = _mm256_set1_epi16(1);
  if (kQ4) {
    __m256i s16 = _mm256_maddubs_epi16(w[0], BroadcastQuad(x, 0));
    for (int j = 1; j < 8; ++j) s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(w[j], BroadcastQuad(x, j)));
    return _mm256_add_epi32(_mm256_madd_epi16(s16, ones), _mm256_set1_epi32(corr));
  }
  __m256i s = _mm256_setzero_si256();
  for (int j = 0; j < 8; ++j) {
    const __m256i xv = BroadcastQuad(x, j);
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_abs_epi8(w[j]), _mm256_sign_epi8(xv, w[j]));
    s = _mm256_add_epi32(s, _mm256_madd_epi16(pairs, ones));
  }
  return s;
#endif
}

// Row group g x activation rows [t0, t0 + count), count <= kChunkRows; xbm
// holds the activations block-major, acc is [kChunkRows][16] scratch.
template <bool kQ4>
void GroupRows(const TiledProduct& p, const int8_t* xbm, size_t g, size_t t0, size_t count, float* acc) {
  const size_t n = p.n;
  for (size_t i = 0; i < count * kTileRows; ++i) acc[i] = 0.0f;
  for (size_t b = 0; b < p.nb; ++b) {
    const uint8_t* tile = p.w + g * p.group_bytes + b * p.tile_bytes;
    const int8_t* x = xbm + (b * n + t0) * kBlock;
    const int32_t* corr = p.corr + t0 * p.nb + b;
    const float* xs = p.scale + t0 * p.nb + b;
    for (int h = 0; h < 2; ++h) {
      __m256i w[8];
      LoadHalfTile<kQ4>(tile, h, w);
      const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tile + 16 * h)));
      for (size_t t = 0; t < count; ++t) {
        const __m256i s = HalfTileSums<kQ4>(w, x + t * kBlock, corr[t * p.nb]);
        float* a = acc + t * kTileRows + 8 * h;
        const __m256 d = _mm256_mul_ps(dw, _mm256_set1_ps(xs[t * p.nb]));
        _mm256_storeu_ps(a, _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), d, _mm256_loadu_ps(a)));
      }
    }
  }
  const size_t r0 = g * kTileRows;
  const size_t live = p.rows - r0 < kTileRows ? p.rows - r0 : kTileRows;
  for (size_t t = 0; t < count; ++t) {
    float* out = acc + t * kTileRows;
    if (p.bias != nullptr)
      for (size_t r = 0; r < live; ++r) out[r] += p.bias[r0 + r];
    std::memcpy(p.y + (t0 + t) * p.rows + r0, out, live * sizeof(float));
  }
}

// Quad j of a tile as two ymm (rows 0-7, 8-15), prepared as LoadHalfTile does.
template <bool kQ4>
inline void LoadQuad(const uint8_t* tile, int j, __m256i w[2]) {
  const uint8_t* quad = tile + kScaleBytes + 64 * (kQ4 ? j & 3 : j);
  for (int h = 0; h < 2; ++h) {
    w[h] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(quad + 32 * h));
    if (kQ4) w[h] = _mm256_and_si256(j >= 4 ? _mm256_srli_epi16(w[h], 4) : w[h], _mm256_set1_epi8(0x0F));
#if !ECGR1_YMM_VNNI
    if (!kQ4) w[h] = _mm256_xor_si256(w[h], _mm256_set1_epi8(static_cast<char>(0x80)));
#endif
  }
}

// Decode: row groups [g0, g0 + kG) x the kN (1 or 2) activation rows. Quad by
// quad over both halves of kG groups gives 2 kG independent integer sums per
// row to hide the multiply-add latency, and the float sums stay in registers
// across blocks. (Streaming rows past half tiles, as prefill does, left decode
// at 75 % of the memory-bandwidth ceiling; this reaches 90-98 %.)
template <bool kQ4, int kG, int kN>
void DecodeGroups(const TiledProduct& p, size_t g0) {
  const size_t cols = p.cols;
  __m256 acc[kG][kN][2];
  for (int g = 0; g < kG; ++g)
    for (int t = 0; t < kN; ++t) acc[g][t][0] = acc[g][t][1] = _mm256_setzero_ps();
  for (size_t b = 0; b < p.nb; ++b) {
    const uint8_t* tile[kG];
    for (int g = 0; g < kG; ++g) tile[g] = p.w + (g0 + g) * p.group_bytes + b * p.tile_bytes;
    __m256i s[kG][kN][2];
    for (int g = 0; g < kG; ++g)
      for (int t = 0; t < kN; ++t)
        for (int h = 0; h < 2; ++h)
          s[g][t][h] = ECGR1_YMM_VNNI ? _mm256_set1_epi32(p.corr[t * p.nb + b]) : _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) {
      __m256i w[kG][2];
      for (int g = 0; g < kG; ++g) LoadQuad<kQ4>(tile[g], j, w[g]);
      for (int t = 0; t < kN; ++t) {
        const __m256i xv = BroadcastQuad(p.q + t * cols + b * kBlock, j);
        for (int g = 0; g < kG; ++g)
          for (int h = 0; h < 2; ++h) {
#if ECGR1_YMM_VNNI
            s[g][t][h] = _mm256_dpbusd_avx_epi32(s[g][t][h], w[g][h], xv);
#else
            // q4: s16 sums (see the file comment); q8: 4-sums in s32.
            if (kQ4)
              s[g][t][h] = _mm256_add_epi16(s[g][t][h], _mm256_maddubs_epi16(w[g][h], xv));
            else
              s[g][t][h] = _mm256_add_epi32(
                  s[g][t][h], _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(w[g][h]),
                                                                     _mm256_sign_epi8(xv, w[g][h])),
                                                _mm256_set1_epi16(1)));
#endif
          }
      }
    }
    for (int g = 0; g < kG; ++g) {
      for (int t = 0; t < kN; ++t) {
#if !ECGR1_YMM_VNNI
        if (kQ4)
          for (int h = 0; h < 2; ++h)
            s[g][t][h] = _mm256_add_epi32(_mm256_madd_epi16(s[g][t][h], _mm256_set1_epi16(1)),
                                          _mm256_set1_epi32(p.corr[t * p.nb + b]));
#endif
        const __m256 xs = _mm256_set1_ps(p.scale[t * p.nb + b]);
        for (int h = 0; h < 2; ++h) {
          const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tile[g] + 16 * h)));
          acc[g][t][h] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[g][t][h]), _mm256_mul_ps(dw, xs), acc[g][t][h]);
        }
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
      std::memcpy(p.y + t * p.rows + r0, out, live * sizeof(float));
    }
  }
}

template <bool kQ4, int kN>
void Decode(const TiledProduct& p, bool parallel) {
  // Measured (Sapphire Rapids, 2 threads, 8B q4): 4 groups at a time reach
  // 90 % of the ceiling with AVX2 (2: 87-89 %), 2 groups 97 % with AVX-VNNI
  // (4: 95 %).
  constexpr int kG = ECGR1_YMM_VNNI ? 2 : 4;
  ForRowGroups(p.groups, kG, parallel, [&](size_t g0, size_t g1) {
    if (g1 - g0 == kG)
      DecodeGroups<kQ4, kG, kN>(p, g0);
    else
      for (size_t g = g0; g < g1; ++g) DecodeGroups<kQ4, 1, kN>(p, g);
  });
}

// A few rows (a decode step with its draft): row group by row group, the
// rows in threes, so each group's weights come from memory once and from
// L1/L2 for the next three. Measured (Sapphire Rapids, 2 threads, 8B q4,
// AVX2): 3 / 4 / 5 rows cost 1.86 / 2.08 / 2.38x a one-row step, against
// 2.20 / 2.60 / 2.75x on the prefill path; from 6 rows on (the multiply-adds
// bind, not memory) the prefill path is as fast or faster.
constexpr size_t kFewRows = 5;
template <bool kQ4>
void FewRows(const TiledProduct& p, bool parallel) {
  ForRowGroups(p.groups, 4, parallel, [&](size_t g0, size_t g1) {
    for (size_t g = g0; g < g1; ++g)
      for (size_t t = 0; t < p.n; t += 3) {
        TiledProduct s = p;
        s.n = p.n - t < 3 ? p.n - t : 3;
        s.q = p.q + t * p.cols;
        s.scale = p.scale + t * p.nb;
        s.corr = p.corr + t * p.nb;
        s.y = p.y + t * p.rows;
        if (s.n == 3) DecodeGroups<kQ4, 1, 3>(s, g);
        else if (s.n == 2) DecodeGroups<kQ4, 1, 2>(s, g);
        else DecodeGroups<kQ4, 1, 1>(s, g);
      }
  });
}

template <bool kQ4>
void Run(const TiledProduct& p, bool parallel) {
  const size_t n = p.n;
  if (n == 1) return Decode<kQ4, 1>(p, parallel);
  if (n == 2) return Decode<kQ4, 2>(p, parallel);
  if (n <= kFewRows) return FewRows<kQ4>(p, parallel);
  const int8_t* xbm = BlockMajorCodes(p.q, n, p.cols, parallel);
  ForRowGroups(p.groups, kGroupsPerItem, parallel, [&](size_t g0, size_t g1) {
    alignas(32) float acc[kChunkRows * kTileRows];
    for (size_t t = 0; t < n; t += kChunkRows) {
      const size_t count = n - t < kChunkRows ? n - t : kChunkRows;
      for (size_t g = g0; g < g1; ++g) GroupRows<kQ4>(p, xbm, g, t, count, acc);
    }
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
