// test_kernels.cc — every SIMD kernel in kernels/ops.h against its scalar twin
// in kernels/ops_ref.h, on every instruction-set target compiled into ops.cc
// that this CPU can run (pinned one at a time with
// hwy::SetSupportedTargetsForTest), on random data of awkward lengths (tails),
// for each weight type.
#include <hwy/targets.h>
#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "base/bf16.h"
#include "kernel_targets.h"
#include "kernels/attention_ops.h"
#include "kernels/gemm.h"
#include "kernels/matmul_bf16.h"
#include "kernels/ops.h"
#include "kernels/ops_ref.h"

namespace ecgr1 {
namespace {

using test::ForEachTarget;

const size_t kSizes[] = {1, 3, 17, 64, 257, 1000};

std::vector<float> Random(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& f : v) f = u(rng);
  return v;
}

// A weight matrix stored as `type`, from random f32 values.
struct OwnedWeights {
  std::vector<uint8_t> bytes;
  WeightMatrix m;
  OwnedWeights(DType type, size_t rows, size_t cols, uint32_t seed) {
    const std::vector<float> f = Random(rows * cols, -1.0f, 1.0f, seed);
    m.type = type;
    m.rows = rows;
    m.cols = cols;
    bytes.resize(m.row_bytes() * rows + 1);
    if (type == DType::kF32) {
      std::memcpy(bytes.data(), f.data(), f.size() * 4);
    } else {
      for (size_t i = 0; i < f.size(); ++i) {
        const uint16_t h = type == DType::kBF16 ? F32ToBf16(f[i]) : F32ToF16(f[i]);
        std::memcpy(bytes.data() + 2 * i, &h, 2);
      }
    }
    m.data = bytes.data();
  }
};

const char* Name(DType t) { return t == DType::kF32 ? "f32" : t == DType::kBF16 ? "bf16" : "f16"; }

// max over i of |got - want| / (abs + rel * scale[i]); <= 1 means within
// tolerance.
double WorstRatio(const std::vector<float>& got, const std::vector<float>& want, const std::vector<double>& scale,
                  double rel, double abs) {
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
    if (std::isnan(err)) return 1e30;
    worst = std::max(worst, err / (abs + rel * scale[i]));
  }
  return worst;
}

std::vector<double> AbsScale(const std::vector<float>& v) {
  std::vector<double> s(v.size());
  for (size_t i = 0; i < v.size(); ++i) s[i] = std::fabs(v[i]);
  return s;
}

}  // namespace

TEST_CASE("kernels: targets under test", "[kernels]") {
  std::ostringstream os;
  for (int64_t t : hwy::SupportedAndGeneratedTargets()) os << hwy::TargetName(t) << ' ';
  WARN("kernel targets tested: " << os.str() << "(default: " << kernels::TargetName() << ")");
  CHECK(!hwy::SupportedAndGeneratedTargets().empty());
}

// The vectors x rounded to bf16: what the AVX512-BF16 path multiplies.
std::vector<float> RoundedToBf16(std::vector<float> x) {
  for (float& f : x) f = Bf16ToF32(F32ToBf16(f));
  return x;
}

// The paths to test: Highway alone, and with the intrinsics where the CPU
// (and the cap) let bf16 weights take AVX512-BF16.
std::vector<bool> IntrinsicsSettings() {
  std::vector<bool> v = {false};
  test::IntrinsicsPin on(true);
  if (kernels::UseAvx512Bf16()) v.push_back(true);
  return v;
}

TEST_CASE("kernels: MatMul matches ref for each weight type and target", "[kernels]") {
  for (bool intrinsics : IntrinsicsSettings()) {
    INFO("intrinsics " << intrinsics);
    test::IntrinsicsPin pin(intrinsics);
    // bf16 weights on the AVX512-BF16 path multiply bf16-rounded activations.
    const bool bf16_path = kernels::UseAvx512Bf16();
    ForEachTarget([&](const std::string&) {
      for (DType type : {DType::kF32, DType::kBF16, DType::kF16}) {
        for (size_t rows : {size_t{1}, size_t{3}, size_t{17}, size_t{64}}) {
          for (size_t cols : kSizes) {
            OwnedWeights w(type, rows, cols, static_cast<uint32_t>(rows * 7919 + cols));
            w.m.bf16_activations = intrinsics;  // lets bf16 weights take the AVX512-BF16 path
            const std::vector<float> bias = Random(rows, -1, 1, 5);
            for (size_t n : {size_t{1}, size_t{2}, size_t{5}, size_t{33}}) {
              INFO(Name(type) << " rows " << rows << " cols " << cols << " n " << n);
              const std::vector<float> x = Random(n * cols, -1, 1, static_cast<uint32_t>(n + cols));
              const std::vector<float> xr = bf16_path && type == DType::kBF16 ? RoundedToBf16(x) : x;
              // Scale of each output: sum |w||x| (what float rounding is
              // relative to).
              std::vector<double> scale(n * rows);
              std::vector<float> wrow(cols);
              for (size_t r = 0; r < rows; ++r) {
                ref::RowToF32(w.m, r, wrow.data());
                for (size_t i = 0; i < n; ++i) {
                  double s = 0;
                  for (size_t c = 0; c < cols; ++c) s += std::fabs(wrow[c] * x[i * cols + c]);
                  scale[i * rows + r] = s;
                }
              }
              for (bool with_bias : {false, true}) {
                const float* b = with_bias ? bias.data() : nullptr;
                std::vector<float> got(n * rows, -7.0f), want(n * rows);
                kernels::MatMul(w.m, x.data(), n, got.data(), b);
                ref::MatMul(w.m, xr.data(), n, want.data(), b);
                CHECK(WorstRatio(got, want, scale, 1e-6, 1e-7) <= 1.0);
              }
              // Batch invariance: row i of the n-row product equals the 1-row
              // product.
              std::vector<float> all(n * rows), one(rows);
              kernels::MatMul(w.m, x.data(), n, all.data(), bias.data());
              bool same = true;
              for (size_t i = 0; i < n; ++i) {
                kernels::MatMul(w.m, x.data() + i * cols, 1, one.data(), bias.data());
                same = same && std::memcmp(one.data(), all.data() + i * rows, rows * 4) == 0;
              }
              CHECK(same);
            }
          }
        }
      }
    });
  }
}

TEST_CASE("kernels: MatMul is identical for 1 and 2 OpenMP threads", "[kernels]") {
  // Large enough to cross the threading threshold and, for prefill, span
  // several converted weight blocks.
  const size_t rows = 259, cols = 1000;
  for (bool intrinsics : IntrinsicsSettings()) {
    INFO("intrinsics " << intrinsics);
    test::IntrinsicsPin pin(intrinsics);
    ForEachTarget([&](const std::string&) {
      for (DType type : {DType::kF32, DType::kBF16, DType::kF16}) {
        OwnedWeights w(type, rows, cols, 11);
        w.m.bf16_activations = intrinsics;
        for (size_t n : {size_t{1}, size_t{33}}) {
          INFO(Name(type) << " n " << n);
          const std::vector<float> x = Random(n * cols, -1, 1, 12);
          std::vector<float> y1(n * rows), y2(n * rows);
          const int saved = omp_get_max_threads();
          omp_set_num_threads(1);
          kernels::MatMul(w.m, x.data(), n, y1.data());
          omp_set_num_threads(2);
          kernels::MatMul(w.m, x.data(), n, y2.data());
          omp_set_num_threads(saved);
          CHECK(std::memcmp(y1.data(), y2.data(), y1.size() * 4) == 0);
        }
      }
    });
  }
}

TEST_CASE("kernels: RowToF32 converts every finite 16-bit pattern exactly", "[kernels]") {
  // One row holding every bf16 / f16 bit pattern except Inf/NaN (exponent all
  // ones): weights are finite, and Highway's f16 emulation on pre-AVX2 targets
  // does not special-case Inf/NaN.
  std::vector<uint16_t> bf, hf;
  for (uint32_t b = 0; b < 65536; ++b) {
    if (((b >> 7) & 0xff) != 0xff) bf.push_back(static_cast<uint16_t>(b));
    if (((b >> 10) & 0x1f) != 0x1f) hf.push_back(static_cast<uint16_t>(b));
  }
  ForEachTarget([&](const std::string&) {
    for (DType type : {DType::kBF16, DType::kF16}) {
      const std::vector<uint16_t>& v = type == DType::kBF16 ? bf : hf;
      WeightMatrix m;
      m.type = type;
      m.data = v.data();
      m.rows = 1;
      m.cols = v.size();
      std::vector<float> got(v.size()), want(v.size());
      kernels::RowToF32(m, 0, got.data());
      ref::RowToF32(m, 0, want.data());
      INFO(Name(type));
      CHECK(std::memcmp(got.data(), want.data(), got.size() * 4) == 0);
    }
    for (DType type : {DType::kF32, DType::kBF16, DType::kF16}) {
      for (size_t cols : kSizes) {
        const OwnedWeights w(type, 3, cols, 3);
        std::vector<float> got(cols), want(cols);
        kernels::RowToF32(w.m, 2, got.data());
        ref::RowToF32(w.m, 2, want.data());
        INFO(Name(type) << " cols " << cols);
        CHECK(std::memcmp(got.data(), want.data(), cols * 4) == 0);
      }
    }
  });
}

TEST_CASE("kernels: vector ops match ref", "[kernels]") {
  ForEachTarget([](const std::string&) {
    for (size_t n : kSizes) {
      INFO("n " << n);
      const std::vector<float> a = Random(n, -1, 1, 21), b = Random(n, -1, 1, 22);
      {  // Dot
        double scale = 0;
        for (size_t i = 0; i < n; ++i) scale += std::fabs(a[i] * b[i]);
        const float got = kernels::Dot(a.data(), b.data(), n), want = ref::Dot(a.data(), b.data(), n);
        CHECK(std::fabs(got - want) <= 1e-6 * scale + 1e-7);
      }
      {  // Axpy
        std::vector<float> got = b, want = b;
        kernels::Axpy(0.37f, a.data(), got.data(), n);
        ref::Axpy(0.37f, a.data(), want.data(), n);
        CHECK(WorstRatio(got, want, AbsScale(want), 1e-6, 1e-7) <= 1.0);
      }
      {  // Add, Scale: exact
        std::vector<float> got = b, want = b;
        kernels::Add(a.data(), got.data(), n);
        ref::Add(a.data(), want.data(), n);
        CHECK(got == want);
        kernels::Scale(-1.7f, got.data(), n);
        ref::Scale(-1.7f, want.data(), n);
        CHECK(got == want);
      }
    }
  });
}

TEST_CASE("kernels: norms match ref", "[kernels]") {
  ForEachTarget([](const std::string&) {
    for (size_t n : kSizes) {
      INFO("n " << n);
      // An offset so LayerNorm's mean matters.
      const std::vector<float> x = Random(n, -2, 3, 31), g = Random(n, 0.5f, 1.5f, 32), be = Random(n, -1, 1, 33);
      std::vector<float> got(n), want(n);
      kernels::RmsNorm(x.data(), g.data(), n, 1e-6f, got.data());
      ref::RmsNorm(x.data(), g.data(), n, 1e-6f, want.data());
      CHECK(WorstRatio(got, want, AbsScale(want), 1e-6, 1e-7) <= 1.0);
      std::vector<float> inplace = x;  // out may equal x
      kernels::RmsNorm(inplace.data(), g.data(), n, 1e-6f, inplace.data());
      CHECK(inplace == got);

      kernels::LayerNorm(x.data(), g.data(), be.data(), n, 1e-5f, got.data());
      ref::LayerNorm(x.data(), g.data(), be.data(), n, 1e-5f, want.data());
      // Output is O(1); absolute error relative to |normalised x * gamma| +
      // |beta|.
      std::vector<double> scale(n);
      for (size_t i = 0; i < n; ++i) scale[i] = 1.0 + std::fabs(want[i]);
      CHECK(WorstRatio(got, want, scale, 2e-6, 0) <= 1.0);
      inplace = x;
      kernels::LayerNorm(inplace.data(), g.data(), be.data(), n, 1e-5f, inplace.data());
      CHECK(inplace == got);
    }
  });
}

TEST_CASE("kernels: Softmax matches ref", "[kernels]") {
  ForEachTarget([](const std::string&) {
    for (size_t n : kSizes) {
      INFO("n " << n);
      std::vector<float> got = Random(n, -20, 20, 41);
      if (n > 2) got[n / 2] = -1e30f;  // a masked-out position
      std::vector<float> want = got;
      kernels::Softmax(got.data(), n);
      ref::Softmax(want.data(), n);
      CHECK(WorstRatio(got, want, AbsScale(want), 2e-6, 1e-12) <= 1.0);
      double sum = 0;
      for (float v : got) sum += v;
      CHECK(std::fabs(sum - 1.0) < 1e-5);
    }
  });
}

TEST_CASE("kernels: activations match ref", "[kernels]") {
  // Random values of awkward lengths, plus a dense grid over [-12, 12] and
  // extremes, for each activation.
  std::vector<std::vector<float>> inputs;
  for (size_t n : kSizes) inputs.push_back(Random(n, -8, 8, static_cast<uint32_t>(51 + n)));
  std::vector<float> grid;
  for (int i = -120000; i <= 120000; ++i) grid.push_back(static_cast<float>(i) * 1e-4f);
  for (float v : {-1e4f, -200.f, -100.f, -90.f, -50.f, 50.f, 90.f, 100.f, 200.f, 1e4f, 0.0f, -0.0f}) grid.push_back(v);
  inputs.push_back(grid);

  ForEachTarget([&](const std::string&) {
    for (const std::vector<float>& x : inputs) {
      const size_t n = x.size();
      INFO("n " << n);
      std::vector<float> got = x, want = x;
      const std::vector<float> up = Random(n, -2, 2, 61);
      kernels::SiluMul(got.data(), up.data(), n);
      ref::SiluMul(want.data(), up.data(), n);
      CHECK(WorstRatio(got, want, AbsScale(want), 2e-6, 1e-7) <= 1.0);

      // Both GELUs: error scaled by max(1, |x|), i.e. absolute near 0, relative
      // for large |x|. The oracle forms 1 + erf / 1 + tanh in float, so it is
      // itself only good to ~4e-7 on this scale; GeluErf is also checked
      // against a double-precision truth (measured ~1.3e-7).
      std::vector<double> unit(n);
      for (size_t i = 0; i < n; ++i) unit[i] = std::max(1.0, std::fabs(static_cast<double>(x[i])));
      got = x;
      want = x;
      kernels::GeluErf(got.data(), n);
      ref::GeluErf(want.data(), n);
      CHECK(WorstRatio(got, want, unit, 4e-7, 0) <= 1.0);
      std::vector<float> truth(n);
      for (size_t i = 0; i < n; ++i) {
        const double xd = x[i];
        truth[i] = static_cast<float>(0.5 * xd * std::erfc(-xd / std::sqrt(2.0)));
      }
      CHECK(WorstRatio(got, truth, unit, 2e-7, 0) <= 1.0);

      got = x;
      want = x;
      kernels::GeluTanh(got.data(), n);
      ref::GeluTanh(want.data(), n);
      CHECK(WorstRatio(got, want, unit, 4e-7, 0) <= 1.0);
    }
  });
}

TEST_CASE("kernels: RopeRotateHalf matches ref", "[kernels]") {
  ForEachTarget([](const std::string&) {
    for (size_t dim : {size_t{2}, size_t{6}, size_t{34}, size_t{64}, size_t{128}, size_t{514}, size_t{17}}) {
      INFO("dim " << dim);
      const std::vector<float> x = Random(dim, -3, 3, 71);
      std::vector<float> ang = Random(dim / 2 + 1, -10, 10, 72), c(dim / 2 + 1), s(dim / 2 + 1);
      for (size_t j = 0; j < ang.size(); ++j) {
        c[j] = std::cos(ang[j]);
        s[j] = std::sin(ang[j]);
      }
      std::vector<float> got = x, want = x;
      kernels::RopeRotateHalf(got.data(), c.data(), s.data(), dim);
      ref::RopeRotateHalf(want.data(), c.data(), s.data(), dim);
      std::vector<double> scale(dim, 3.0);
      CHECK(WorstRatio(got, want, scale, 1e-6, 0) <= 1.0);
    }
  });
}

#if defined(__x86_64__)
TEST_CASE("kernels: the AVX512-BF16 kernels match ref on bf16-rounded operands", "[kernels]") {
  // Called directly: the policy (cpu_features.h) takes them only where they
  // pay, but every CPU that has the instructions tests them.
  if (!kernels::CpuHasAvx512Bf16()) {
    WARN("no AVX512-BF16 on this CPU: nothing to compare");
    return;
  }
  for (size_t rows : {size_t{1}, size_t{5}, size_t{37}}) {
    for (size_t cols : {size_t{2}, size_t{31}, size_t{64}, size_t{1000}}) {
      for (size_t n : {size_t{1}, size_t{7}, size_t{13}}) {
        INFO("rows " << rows << " cols " << cols << " n " << n);
        OwnedWeights w(DType::kBF16, rows, cols, static_cast<uint32_t>(rows + cols));
        const std::vector<float> x = Random(n * cols, -1, 1, 9), bias = Random(rows, -1, 1, 10);
        std::vector<float> got(n * rows, NAN), want(n * rows);
        kernels::MatMulBf16Avx512(w.m, x.data(), n, got.data(), bias.data(), false);
        ref::MatMul(w.m, RoundedToBf16(x).data(), n, want.data(), bias.data());
        CHECK(WorstRatio(got, want, AbsScale(want), 1e-5, 1e-5) <= 1.0);
      }
    }
  }
  for (size_t hd : {size_t{2}, size_t{72}, size_t{128}}) {
    const size_t n_k = 67, n_q = 9;
    const std::vector<float> k = Random(n_k * hd, -1, 1, 11), q = Random(n_q * hd, -1, 1, 12);
    std::vector<uint16_t> pack;
    kernels::PackKeysBf16(k.data(), n_k, hd, &pack);
    std::vector<float> got(n_q * n_k, NAN), want(n_q * n_k);
    kernels::ScoresBf16Avx512(pack, n_k, q.data(), n_q, hd, got.data());
    ref::AttentionScores(q.data(), n_q, k.data(), n_k, hd, true, want.data());
    INFO("hd " << hd);
    CHECK(WorstRatio(got, want, std::vector<double>(got.size(), static_cast<double>(hd)), 1e-6, 1e-6) <= 1.0);
  }
}
#endif

TEST_CASE("kernels: Gemm matches ref for each weight type, n and cap", "[kernels]") {
  for (kernels::Isa isa : test::CpuIsaLevels()) {
    test::IsaPin pin(isa);
    INFO("isa " << kernels::IsaName(isa) << ", path " << kernels::GemmPathName());
    for (DType type : {DType::kF32, DType::kBF16, DType::kF16}) {
      for (size_t n : {size_t{3}, size_t{8}, size_t{101}}) {
        const size_t rows = 45, cols = 77;
        OwnedWeights w(type, rows, cols, static_cast<uint32_t>(n));
        const std::vector<float> x = Random(n * cols, -1, 1, 13), bias = Random(rows, -1, 1, 14);
        std::vector<float> got(n * rows, NAN), want(n * rows);
        kernels::Gemm(w.m, x.data(), n, got.data(), bias.data());
        ref::MatMul(w.m, x.data(), n, want.data(), bias.data());
        INFO(Name(type) << " n " << n);
        CHECK(WorstRatio(got, want, AbsScale(want), 1e-5, 1e-5) <= 1.0);
      }
    }
    // GemmF32 with b as rows (b^T) and as a [k, n] matrix.
    const size_t m = 33, k = 72, n = 50;
    const std::vector<float> a = Random(m * k, -1, 1, 15), b = Random(n * k, -1, 1, 16);
    std::vector<float> bt(k * n), c1(m * n), c2(m * n), want(m * n);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < k; ++j) bt[j * n + i] = b[i * k + j];
    kernels::GemmF32(a.data(), m, k, b.data(), n, true, c1.data());
    kernels::GemmF32(a.data(), m, k, bt.data(), n, false, c2.data());
    ref::MatMul(WeightMatrix{DType::kF32, b.data(), n, k}, a.data(), m, want.data());
    CHECK(WorstRatio(c1, want, AbsScale(want), 1e-5, 1e-5) <= 1.0);
    CHECK(WorstRatio(c2, want, AbsScale(want), 1e-5, 1e-5) <= 1.0);
  }
}

}  // namespace ecgr1
