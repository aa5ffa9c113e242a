// matmul_tiled_avx512.cc — q8 / q4 matrix products with AVX-512 VNNI, and
// the AVX-512 activation quantizer (x86-64 only; empty elsewhere).
//
// Intrinsics in functions compiled for AVX-512 VNNI (target attribute), only
// called when UseAvx512Vnni(). The math is the one in tiled_quant.h, in
// the same order, so results equal the scalar and Highway paths bit for bit.
//
// Micro-kernel: kG row groups (16 rows each, one zmm of int32 lanes) x kN
// activation rows. Per 32-column block: 8 quads, each one 64-byte load of
// weights (q4: a load and a nibble mask) and, per activation row, a
// broadcast of 4 activation bytes and one vpdpbusd into an int32 sum that
// starts at the zero point's share; then per (group, row) one
// convert-scale-accumulate into f32. With kG = 2, kN = 6 that is 12 int32 +
// 12 f32 accumulators, 2 weight and 1 activation register: no spills.
#if defined(__x86_64__)

#include "kernels/matmul_tiled.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "quant/tiled_quant.h"

// GCC 12's own _mm512_cvtepi32_ps / _mm512_cvtph_ps pass an undefined vector
// as the unused merge source, which -Wmaybe-uninitialized reports.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace ecgr1 {
namespace kernels {
namespace {

#define ECGR1_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,f16c,fma")))

using quant::kBlock;
using quant::kScaleBytes;
using quant::kTileRows;

// Quad j (0..7) of a tile: 16 rows x 4 codes as unsigned bytes. q4 keeps
// quads j and j + 4 in the low and high nibbles of the same 64 bytes.
template <bool kQ4>
ECGR1_VNNI inline __m512i LoadQuad(const uint8_t* tile, int j) {
  if (!kQ4) return _mm512_loadu_si512(tile + kScaleBytes + 64 * j);
  __m512i raw = _mm512_loadu_si512(tile + kScaleBytes + 64 * (j & 3));
  if (j >= 4) raw = _mm512_srli_epi16(raw, 4);
  return _mm512_and_si512(raw, _mm512_set1_epi8(0x0F));
}

// Row groups [g0, g0 + kG) x activation rows [t0, t0 + kN).
template <bool kQ4, int kG, int kN>
ECGR1_VNNI void Tile(const TiledProduct& p, size_t g0, size_t t0) {
  const size_t cols = p.cols;
  __m512 accf[kG][kN];
  for (int g = 0; g < kG; ++g)
    for (int t = 0; t < kN; ++t) accf[g][t] = _mm512_setzero_ps();
  const int8_t* xq = p.q + t0 * cols;
  const float* xs = p.scale + t0 * p.nb;
  const int32_t* corr = p.corr + t0 * p.nb;
  for (size_t b = 0; b < p.nb; ++b) {
    const uint8_t* tile[kG];
    for (int g = 0; g < kG; ++g) tile[g] = p.w + (g0 + g) * p.group_bytes + b * p.tile_bytes;
    // Each sum starts at -zero_point * sum(x codes): the zero point's share.
    __m512i acc[kG][kN];
    for (int t = 0; t < kN; ++t) {
      const __m512i c0 = _mm512_set1_epi32(corr[t * p.nb + b]);
      for (int g = 0; g < kG; ++g) acc[g][t] = c0;
    }
    for (int j = 0; j < 8; ++j) {
      __m512i w[kG];
      for (int g = 0; g < kG; ++g) w[g] = LoadQuad<kQ4>(tile[g], j);
      for (int t = 0; t < kN; ++t) {
        int32_t x4;  // the 4 activation bytes of quad j
        std::memcpy(&x4, xq + t * cols + b * kBlock + 4 * j, 4);
        const __m512i xv = _mm512_set1_epi32(x4);
        for (int g = 0; g < kG; ++g) acc[g][t] = _mm512_dpbusd_epi32(acc[g][t], w[g], xv);
      }
    }
    for (int g = 0; g < kG; ++g) {
      const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(tile[g])));
      for (int t = 0; t < kN; ++t) {
        const __m512 d = _mm512_mul_ps(dw, _mm512_set1_ps(xs[t * p.nb + b]));
        accf[g][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[g][t]), d, accf[g][t]);
      }
    }
  }
  for (int g = 0; g < kG; ++g) {
    const size_t r0 = (g0 + g) * kTileRows;
    const size_t live = std::min(kTileRows, p.rows - r0);
    const __mmask16 m = static_cast<__mmask16>((1u << live) - 1u);
    __m512 bias = _mm512_setzero_ps();
    if (p.bias != nullptr) bias = _mm512_maskz_loadu_ps(m, p.bias + r0);
    for (int t = 0; t < kN; ++t) {
      const __m512 out = p.bias != nullptr ? _mm512_add_ps(accf[g][t], bias) : accf[g][t];
      _mm512_mask_storeu_ps(p.y + (t0 + t) * p.rows + r0, m, out);
    }
  }
}

constexpr int kTileN = 6;  // the tail switch below covers 1 .. kTileN - 1

// All activation rows for row groups [g0, g0 + kG).
template <bool kQ4, int kG>
ECGR1_VNNI void RowGroups(const TiledProduct& p, size_t g0) {
  const size_t n = p.n;
  size_t t = 0;
  for (; t + kTileN <= n; t += kTileN) Tile<kQ4, kG, kTileN>(p, g0, t);
  static_assert(kTileN == 6, "extend the tail cases");
  switch (n - t) {
    case 5: Tile<kQ4, kG, 5>(p, g0, t); break;
    case 4: Tile<kQ4, kG, 4>(p, g0, t); break;
    case 3: Tile<kQ4, kG, 3>(p, g0, t); break;
    case 2: Tile<kQ4, kG, 2>(p, g0, t); break;
    case 1: Tile<kQ4, kG, 1>(p, g0, t); break;
    default: break;
  }
}

template <bool kQ4>
void Run(const TiledProduct& p, bool parallel) {
  // Decode (few activation rows) is bound by memory: 4 row groups at once
  // give 4 independent dependency chains to hide vpdpbusd's latency. Prefill
  // needs the registers for activation rows: 2 groups x 6 rows.
  const int per_item = p.n < static_cast<size_t>(kTileN) ? 4 : 2;
  ForRowGroups(p.groups, per_item, parallel, [&](size_t g0, size_t g1) {
    if (g1 - g0 == 4)
      RowGroups<kQ4, 4>(p, g0);
    else if (g1 - g0 == 2)
      RowGroups<kQ4, 2>(p, g0);
    else
      for (size_t g = g0; g < g1; ++g) RowGroups<kQ4, 1>(p, g);
  });
}

}  // namespace

// One block of 32 activations -> int8 codes, their sum and scale, exactly as
// ActivationBlocks::Quantize computes them (same division, same product,
// round-half-even as nearbyint in the default rounding mode). Blocks with a
// NaN or infinity take the scalar code, which defines their handling.
ECGR1_VNNI bool QuantizeBlockAvx512(const float* x, int8_t* q, float* scale, int32_t* sum) {
  const __m512 a = _mm512_abs_ps(_mm512_loadu_ps(x)), b = _mm512_abs_ps(_mm512_loadu_ps(x + 16));
  const __m512 inf = _mm512_set1_ps(__builtin_inff());
  if (_mm512_cmp_ps_mask(a, inf, _CMP_NLT_UQ) | _mm512_cmp_ps_mask(b, inf, _CMP_NLT_UQ)) return false;
  const float amax = _mm512_reduce_max_ps(_mm512_max_ps(a, b));
  float d = amax / 127.0f;
  float id = d != 0.0f ? 127.0f / amax : 0.0f;
  if (!__builtin_isfinite(id)) d = id = 0.0f;  // amax below 127 / FLT_MAX: a zero block, as the scalar code
  const __m512 vid = _mm512_set1_ps(id);
  const __m512i qa = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x), vid));
  const __m512i qb = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + 16), vid));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm512_cvtepi32_epi8(qa));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 16), _mm512_cvtepi32_epi8(qb));
  *sum = _mm512_reduce_add_epi32(_mm512_add_epi32(qa, qb));
  *scale = d;
  return true;
}

void MatMulTiledAvx512Vnni(const TiledProduct& p, bool parallel) {
  if (p.type == DType::kQ4)
    Run<true>(p, parallel);
  else
    Run<false>(p, parallel);
}

}  // namespace kernels
}  // namespace ecgr1

#endif  // __x86_64__
