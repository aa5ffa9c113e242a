// test_attention_ops.cc — the bf16 KV-cache kernels (kernels/ops.h) and AttentionScores
// against their scalar twins, on every Highway target compiled in that this CPU
// can run (pinned one at a time), on random data of awkward lengths (tails).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "base/bf16.h"
#include "kernels/attention_ops.h"
#include "kernels/ops.h"
#include "kernels/ops_ref.h"
#include "kernels/cpu_features.h"
#include "kernel_targets.h"

namespace ecgr1 {
namespace {

using test::ForEachTarget;

const size_t kSizes[] = {1, 3, 17, 64, 128, 257, 1000};

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& f : v) f = u(rng);
  return v;
}

std::vector<uint16_t> RandomBf16(size_t n, uint32_t seed) {
  const std::vector<float> f = Random(n, seed);
  std::vector<uint16_t> h(n);
  for (size_t i = 0; i < n; ++i) h[i] = F32ToBf16(f[i]);
  return h;
}

}  // namespace

TEST_CASE("attention ops: DotBf16 and AxpyBf16 match ref on every target", "[kernels][attention]") {
  ForEachTarget([](const std::string&) {  // DotBf16 / AxpyBf16 live in ops.cc, whose pin ForEachTarget checks
    for (size_t n : kSizes) {
      INFO("n " << n);
      const std::vector<float> a = Random(n, 31), y0 = Random(n, 32);
      const std::vector<uint16_t> b = RandomBf16(n, 33);
      {  // DotBf16: f32 accumulation vs the double oracle, relative to sum |a*b|
        double scale = 0;
        for (size_t i = 0; i < n; ++i) scale += std::fabs(a[i] * Bf16ToF32(b[i]));
        const float got = kernels::DotBf16(a.data(), b.data(), n), want = ref::DotBf16(a.data(), b.data(), n);
        CHECK(std::fabs(got - want) <= 1e-6 * scale + 1e-7);
      }
      {  // AxpyBf16: one fused multiply-add vs multiply then add, per element
        std::vector<float> got = y0, want = y0;
        kernels::AxpyBf16(0.37f, b.data(), got.data(), n);
        ref::AxpyBf16(0.37f, b.data(), want.data(), n);
        for (size_t i = 0; i < n; ++i) CHECK(std::fabs(got[i] - want[i]) <= 1e-6 * std::fabs(want[i]) + 1e-7);
      }
    }
  });
}

TEST_CASE("attention ops: bf16 widening is exact", "[kernels][attention]") {
  // Every finite bf16 pattern: an Axpy with a = 1 onto zeros returns the
  // widened value, and so does a dot with a one-hot f32 vector (the other
  // products are zeros, so the sum is exact).
  ForEachTarget([](const std::string&) {
    std::vector<uint16_t> all;
    for (uint32_t h = 0; h < 0x10000u; ++h)
      if (std::isfinite(Bf16ToF32(static_cast<uint16_t>(h)))) all.push_back(static_cast<uint16_t>(h));
    std::vector<float> y(all.size(), 0.0f);
    kernels::AxpyBf16(1.0f, all.data(), y.data(), all.size());
    size_t bad = 0;
    for (size_t i = 0; i < all.size(); ++i) bad += y[i] != Bf16ToF32(all[i]);
    CHECK(bad == 0);
    const size_t w = 64;
    std::vector<float> onehot(w, 0.0f);
    bad = 0;
    for (size_t i = 0; i + w <= all.size(); i += w) {
      for (size_t k = 0; k < w; ++k) {
        onehot[k] = 1.0f;
        bad += kernels::DotBf16(onehot.data(), &all[i], w) != Bf16ToF32(all[i + k]);
        onehot[k] = 0.0f;
      }
    }
    CHECK(bad == 0);
  });
}

}  // namespace ecgr1

namespace ecgr1 {

TEST_CASE("attention ops: AttentionScores matches ref, f32 and bf16, on every target", "[kernels][attention]") {
  const size_t shapes[][3] = {{2, 1, 1}, {72, 17, 3}, {72, 130, 9}, {128, 64, 4}, {72, 300, 64}, {7, 20, 5}};
  for (bool intrinsics : {false, true}) {
    INFO("intrinsics " << intrinsics);
    test::IntrinsicsPin pin(intrinsics);
    ForEachTarget([&](const std::string&) {
      for (const auto& s : shapes) {
        const size_t hd = s[0], n_k = s[1], n_q = s[2];
        const std::vector<float> k = Random(n_k * hd, 1), q = Random(n_q * hd, 2);
        for (bool bf16 : {false, true}) {
          INFO("hd " << hd << " keys " << n_k << " queries " << n_q << " bf16 " << bf16);
          // The bf16 path rounds only where it is taken (even hd, AVX512-BF16).
          const bool rounded = bf16 && hd % 2 == 0 && kernels::Bf16PathAvailable();
          std::vector<float> got(n_q * n_k, NAN), want(n_q * n_k), scale(n_q * n_k);
          kernels::AttentionScores(q.data(), n_q, k.data(), n_k, hd, bf16, got.data());
          ref::AttentionScores(q.data(), n_q, k.data(), n_k, hd, rounded, want.data());
          double worst = 0;
          for (size_t i = 0; i < n_q; ++i)
            for (size_t j = 0; j < n_k; ++j) {
              double sc = 0;
              for (size_t c = 0; c < hd; ++c) sc += std::fabs(q[i * hd + c] * k[j * hd + c]);
              const double r = std::fabs(got[i * n_k + j] - want[i * n_k + j]) / (1e-5 * sc + 1e-12);
              worst = std::isnan(r) ? 1e30 : std::max(worst, r);  // an unwritten score is NaN
            }
          CHECK(worst <= 1.0);
        }
      }
    });
  }
}

}  // namespace ecgr1
