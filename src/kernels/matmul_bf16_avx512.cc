// matmul_bf16_avx512.cc — bf16-weight matrix products with AVX512-BF16.
//
// vdpbf16ps multiplies 32 bf16 pairs and adds each pair's sum into one of 16
// f32 lanes: twice the multiply-adds of an f32 FMA per instruction, and the
// weights are used as stored (no widening). The activations are rounded to
// bf16 once per call (vcvtne2ps2bf16, round to nearest even), which is the
// precision the checkpoint's own bf16 inference runs at.
//
// Micro-kernel: kR weight rows x kN activation rows of 16-lane accumulators,
// walked over the columns 32 at a time (the tail through masked loads), then
// one horizontal sum each. kR = 4, kN = 6: 24 accumulators + 4 weight + 1
// activation register.
#if defined(__x86_64__)

#include "kernels/matmul_bf16.h"

#include "base/bf16.h"
#include "base/error.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

// GCC 12's own conversion intrinsics pass an undefined vector as the unused
// merge source, which -Wmaybe-uninitialized reports.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace ecgr1 {
namespace kernels {
namespace {

#define ECGR1_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,fma")))

struct Args {
  const uint16_t* w;  // [rows, cols] bf16
  const uint16_t* x;  // [n, cols] bf16
  size_t rows, cols, n;
  float* y;
  const float* bias;
};

template <int kR, int kN>
ECGR1_BF16 void Tile(const Args& p, size_t r0, size_t t0) {
  __m512 acc[kR][kN];
  for (int r = 0; r < kR; ++r)
    for (int t = 0; t < kN; ++t) acc[r][t] = _mm512_setzero_ps();
  const size_t cols = p.cols;
  size_t c = 0;
  for (; c + 32 <= cols; c += 32) {
    __m512bh w[kR];
    for (int r = 0; r < kR; ++r) w[r] = (__m512bh)_mm512_loadu_si512(p.w + (r0 + r) * cols + c);
    for (int t = 0; t < kN; ++t) {
      const __m512bh xv = (__m512bh)_mm512_loadu_si512(p.x + (t0 + t) * cols + c);
      for (int r = 0; r < kR; ++r) acc[r][t] = _mm512_dpbf16_ps(acc[r][t], w[r], xv);
    }
  }
  if (c < cols) {  // masked tail: zeros beyond the row add nothing
    const __mmask32 m = static_cast<__mmask32>((uint64_t{1} << (cols - c)) - 1);
    __m512bh w[kR];
    for (int r = 0; r < kR; ++r) w[r] = (__m512bh)_mm512_maskz_loadu_epi16(m, p.w + (r0 + r) * cols + c);
    for (int t = 0; t < kN; ++t) {
      const __m512bh xv = (__m512bh)_mm512_maskz_loadu_epi16(m, p.x + (t0 + t) * cols + c);
      for (int r = 0; r < kR; ++r) acc[r][t] = _mm512_dpbf16_ps(acc[r][t], w[r], xv);
    }
  }
  for (int r = 0; r < kR; ++r)
    for (int t = 0; t < kN; ++t) {
      const float s = _mm512_reduce_add_ps(acc[r][t]);
      p.y[(t0 + t) * p.rows + r0 + r] = p.bias != nullptr ? s + p.bias[r0 + r] : s;
    }
}

template <int kN>
ECGR1_BF16 void Rows(const Args& p, size_t r0, size_t r1, size_t t0) {
  size_t r = r0;
  for (; r + 4 <= r1; r += 4) Tile<4, kN>(p, r, t0);
  for (; r < r1; ++r) Tile<1, kN>(p, r, t0);
}

constexpr int kTileN = 6;

// Weight rows [r0, r1) for all activation rows.
ECGR1_BF16 void Block(const Args& p, size_t r0, size_t r1) {
  size_t t = 0;
  for (; t + kTileN <= p.n; t += kTileN) Rows<kTileN>(p, r0, r1, t);
  static_assert(kTileN == 6, "extend the tail cases");
  switch (p.n - t) {
    case 5: Rows<5>(p, r0, r1, t); break;
    case 4: Rows<4>(p, r0, r1, t); break;
    case 3: Rows<3>(p, r0, r1, t); break;
    case 2: Rows<2>(p, r0, r1, t); break;
    case 1: Rows<1>(p, r0, r1, t); break;
    default: break;
  }
}

ECGR1_BF16 void ToBf16(const float* x, size_t count, uint16_t* out) {
  size_t i = 0;
  for (; i + 32 <= count; i += 32) {
    const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(x + i));
    _mm512_storeu_si512(out + i, (__m512i)v);
  }
  F32ToBf16(x + i, out + i, count - i);
}

// Attention scores for kQ queries x 64 keys from pair-packed keys (see
// PackKeysBf16): lanes are keys, so no horizontal sums over the short head
// dimension; each step broadcasts one bf16 pair of a query.
template <int kQ>
ECGR1_BF16 void ScoreTile(const uint16_t* kp, size_t n64, const uint16_t* qb, size_t hd, size_t i0, size_t j0,
                          size_t n_k, float* scores) {
  __m512 acc[kQ][4];
  for (int q = 0; q < kQ; ++q)
    for (int c = 0; c < 4; ++c) acc[q][c] = _mm512_setzero_ps();
  for (size_t pair = 0; pair < hd / 2; ++pair) {
    const uint16_t* row = kp + 2 * (pair * n64 + j0);
    __m512bh kv[4];
    for (int c = 0; c < 4; ++c) kv[c] = (__m512bh)_mm512_loadu_si512(row + 32 * c);
    for (int q = 0; q < kQ; ++q) {
      int32_t qq;
      std::memcpy(&qq, qb + (i0 + q) * hd + 2 * pair, 4);
      const __m512bh qv = (__m512bh)_mm512_set1_epi32(qq);
      for (int c = 0; c < 4; ++c) acc[q][c] = _mm512_dpbf16_ps(acc[q][c], kv[c], qv);
    }
  }
  for (int q = 0; q < kQ; ++q)
    for (int c = 0; c < 4; ++c) {
      const size_t j = j0 + 16 * c;
      if (j >= n_k) break;
      const __mmask16 m = static_cast<__mmask16>(n_k - j >= 16 ? 0xFFFF : (1u << (n_k - j)) - 1);
      _mm512_mask_storeu_ps(scores + (i0 + q) * n_k + j, m, acc[q][c]);
    }
}

}  // namespace

void PackKeysBf16(const float* k, size_t n_k, size_t hd, std::vector<uint16_t>* out) {
  if (hd % 2 != 0) Fail(ExitCode::kInternal, "bf16 attention scores need an even head size, not %zu", hd);
  const size_t n64 = (n_k + 63) / 64 * 64;
  out->assign(hd / 2 * n64 * 2, 0);
  for (size_t j = 0; j < n_k; ++j)
    for (size_t c = 0; c < hd; ++c) (*out)[2 * ((c / 2) * n64 + j) + c % 2] = F32ToBf16(k[j * hd + c]);
}

void ScoresBf16Avx512(const std::vector<uint16_t>& kpack, size_t n_k, const float* q, size_t n_q, size_t hd,
                      float* scores) {
  const size_t n64 = (n_k + 63) / 64 * 64;
  if (hd % 2 != 0 || kpack.size() != hd / 2 * n64 * 2)
    Fail(ExitCode::kInternal, "bf16 attention scores: keys packed for another shape");
  static thread_local std::vector<uint16_t> qb;
  if (qb.size() < n_q * hd) qb.resize(n_q * hd);
  ToBf16(q, n_q * hd, qb.data());
  const uint16_t* qbp = qb.data();  // the caller's buffer: thread_local names differ per thread
  const long tiles = static_cast<long>((n_q + 3) / 4);
#pragma omp parallel for schedule(static) if (n_q * n_k * hd >= kMinParallelMacs)
  for (long ti = 0; ti < tiles; ++ti) {
    const size_t i0 = 4 * static_cast<size_t>(ti);
    for (size_t j0 = 0; j0 < n_k; j0 += 64) {
      switch (std::min<size_t>(4, n_q - i0)) {
        case 4: ScoreTile<4>(kpack.data(), n64, qbp, hd, i0, j0, n_k, scores); break;
        case 3: ScoreTile<3>(kpack.data(), n64, qbp, hd, i0, j0, n_k, scores); break;
        case 2: ScoreTile<2>(kpack.data(), n64, qbp, hd, i0, j0, n_k, scores); break;
        default: ScoreTile<1>(kpack.data(), n64, qbp, hd, i0, j0, n_k, scores); break;
      }
    }
  }
}

void MatMulBf16Avx512(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias, bool parallel) {
  if (w.rows == 0 || n == 0) return;
  // Grows to the largest call, then reused: no allocation per token.
  static thread_local std::vector<uint16_t> xb;
  if (xb.size() < n * w.cols) xb.resize(n * w.cols);
  ToBf16(x, n * w.cols, xb.data());
  const Args p{static_cast<const uint16_t*>(w.data), xb.data(), w.rows, w.cols, n, y, bias};
  // Panels of weight rows of about 256 KiB stay in L2 while every activation
  // row passes; handed out statically.
  const size_t kRows = std::max<size_t>(4, (size_t{256} << 10) / (2 * w.cols) / 4 * 4);
  const long blocks = static_cast<long>((w.rows + kRows - 1) / kRows);
#pragma omp parallel for schedule(static) if (parallel)
  for (long b = 0; b < blocks; ++b) {
    const size_t r0 = static_cast<size_t>(b) * kRows;
    Block(p, r0, std::min(w.rows, r0 + kRows));
  }
}

}  // namespace kernels
}  // namespace ecgr1

#endif  // __x86_64__
