// matmul_tiled_neon.cc — q8 / q4 matrix products and the activation
// quantizer with plain NEON (every arm64 CPU; empty elsewhere). The kernels
// are in matmul_tiled_neon-inl.h.
#if defined(__aarch64__)

#define ECGR1_NEON_DOTPROD 0
#include "kernels/matmul_tiled_neon-inl.h"

namespace ecgr1 {
namespace kernels {

// One block of 32 activations -> int8 codes, their sum and scale, exactly as
// ActivationBlocks::QuantizeBlock (same division, same product, rounding
// half to even like nearbyint in the default rounding mode: FCVTNS). A block
// with a NaN or infinity returns false: the scalar code defines its handling.
bool QuantizeBlockNeon(const float* x, int8_t* q, float* scale, int32_t* sum) {
  const float32x4_t inf = vdupq_n_f32(__builtin_inff());
  float32x4_t v[8], m = vdupq_n_f32(0.0f);
  uint32x4_t finite = vdupq_n_u32(~0u);
  for (int i = 0; i < 8; ++i) {
    v[i] = vld1q_f32(x + 4 * i);
    const float32x4_t a = vabsq_f32(v[i]);
    finite = vandq_u32(finite, vcltq_f32(a, inf));  // false for NaN and infinity
    m = vmaxq_f32(m, a);
  }
  if (vminvq_u32(finite) == 0) return false;
  const float amax = vmaxvq_f32(m);
  float d = amax / 127.0f;
  float id = d != 0.0f ? 127.0f / amax : 0.0f;
  if (!__builtin_isfinite(id)) d = id = 0.0f;  // amax below 127 / FLT_MAX: a zero block, as the scalar code
  int32x4_t c[8], s = vdupq_n_s32(0);
  for (int i = 0; i < 8; ++i) {
    c[i] = vcvtnq_s32_f32(vmulq_n_f32(v[i], id));
    s = vaddq_s32(s, c[i]);
  }
  for (int h = 0; h < 2; ++h) {
    const int16x8_t lo = vcombine_s16(vqmovn_s32(c[4 * h]), vqmovn_s32(c[4 * h + 1]));
    const int16x8_t hi = vcombine_s16(vqmovn_s32(c[4 * h + 2]), vqmovn_s32(c[4 * h + 3]));
    vst1q_s8(q + 16 * h, vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)));
  }
  *sum = vaddvq_s32(s);
  *scale = d;
  return true;
}

void MatMulTiledNeon(const TiledProduct& p, bool parallel) { RunTiled(p, parallel); }

}  // namespace kernels
}  // namespace ecgr1

#endif  // __aarch64__
