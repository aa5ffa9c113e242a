// matmul_tiled_avx2.cc — q8 / q4 matrix products and the activation
// quantizer with AVX2 + FMA + F16C (compiled with those -m flags on x86-64;
// empty elsewhere). The kernels are in matmul_tiled_ymm-inl.h.
#if defined(__x86_64__)

#define ECGR1_YMM_VNNI 0
#include "kernels/matmul_tiled_ymm-inl.h"

namespace ecgr1 {
namespace kernels {

// One block of 32 activations -> int8 codes, their sum and scale, exactly as
// ActivationBlocks::QuantizeBlock (same division, same product, rounding
// half to even as nearbyint in the default rounding mode).
bool QuantizeBlockAvx2(const float* x, int8_t* q, float* scale, int32_t* sum) {
  const __m256 sign = _mm256_set1_ps(-0.0f), inf = _mm256_set1_ps(__builtin_inff());
  __m256 v[4], m = _mm256_setzero_ps();
  int bad = 0;
  for (int i = 0; i < 4; ++i) {
    v[i] = _mm256_loadu_ps(x + 8 * i);
    const __m256 a = _mm256_andnot_ps(sign, v[i]);
    bad |= _mm256_movemask_ps(_mm256_cmp_ps(a, inf, _CMP_NLT_UQ));
    m = _mm256_max_ps(m, a);
  }
  if (bad) return false;
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
  const float amax = _mm_cvtss_f32(m4);
  float d = amax / 127.0f;
  float id = d != 0.0f ? 127.0f / amax : 0.0f;
  if (!__builtin_isfinite(id)) d = id = 0.0f;  // amax below 127 / FLT_MAX: a zero block, as the scalar code
  const __m256 vid = _mm256_set1_ps(id);
  __m256i c[4];
  for (int i = 0; i < 4; ++i) c[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], vid));
  // Pack 32 int32 to bytes; the packs interleave 128-bit lanes, the
  // permutation puts the dwords of 4 codes back in order.
  const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(c[0], c[1]), _mm256_packs_epi32(c[2], c[3]));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(q),
                      _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
  __m256i s = _mm256_add_epi32(_mm256_add_epi32(c[0], c[1]), _mm256_add_epi32(c[2], c[3]));
  __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
  s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
  *sum = _mm_cvtsi128_si32(s4);
  *scale = d;
  return true;
}

void MatMulTiledAvx2(const TiledProduct& p, bool parallel) { RunTiled(p, parallel); }

}  // namespace kernels
}  // namespace ecgr1

#endif  // __x86_64__
