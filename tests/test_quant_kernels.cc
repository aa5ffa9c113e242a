// test_quant_kernels.cc — the q8 / q4 layout and matrix products: round trip
// of the quantizer, and every path (VNNI intrinsics, Highway on each target
// this CPU runs) against the scalar twin, bit for bit, and against plain f32
// math on the dequantized weights within the activation rounding.
#include <catch2/catch.hpp>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "base/bf16.h"
#include "kernel_targets.h"
#include "kernels/cpu_features.h"
#include "kernels/matmul_tiled.h"
#include "kernels/ops.h"
#include "kernels/ops_ref.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {
namespace {

// Heavy-tailed weights with a few outlier columns, like real checkpoints.
std::vector<float> Weights(size_t rows, size_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::student_t_distribution<float> t(4.0f);
  std::vector<float> w(rows * cols);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.02f * t(rng) * (i % cols == 5 ? 20.0f : 1.0f);
  return w;
}

struct QuantMatrix {
  std::vector<uint8_t> bytes;
  WeightMatrix m;
  QuantMatrix(DType type, const std::vector<float>& w, size_t rows, size_t cols) {
    uint64_t nbytes = 0;
    REQUIRE(TensorBytes(type, {rows, cols}, &nbytes));
    bytes.assign(nbytes, 0xAB);  // every byte must be written by the quantizer
    for (size_t g = 0; g < quant::RowGroups(rows); ++g)
      quant::QuantizeRowGroup(type, w.data(), rows, cols, g, bytes.data() + g * quant::RowGroupBytes(type, cols));
    m = WeightMatrix{type, bytes.data(), rows, cols};
  }
};

}  // namespace

TEST_CASE("quant: tensor sizes of q8 and q4, padded to 16-row tiles", "[quant]") {
  uint64_t b = 0;
  REQUIRE(TensorBytes(DType::kQ8, {16, 64}, &b));
  CHECK(b == 16 * 2 * 34);
  REQUIRE(TensorBytes(DType::kQ4, {17, 32}, &b));
  CHECK(b == 32 * 18);  // 17 rows take two row groups
  std::string why;
  CHECK_FALSE(TensorBytes(DType::kQ8, {16, 48}, &b, &why));
  CHECK(why.find("32-weight blocks") != std::string::npos);
  CHECK_FALSE(TensorBytes(DType::kQ4, {2, 16, 32}, &b, &why));
  CHECK(why.find("2 dimensions") != std::string::npos);
  CHECK_FALSE(TensorBytes(DType::kQ4, {~uint64_t{0} / 8, 64}, &b, &why));
  CHECK(BitsPerWeight(DType::kQ8) == 8.5);
  CHECK(BitsPerWeight(DType::kQ4) == 4.5);
}

TEST_CASE("quant: every weight round-trips within half a step (q4: one step at the clipped end)", "[quant]") {
  const size_t rows = 37, cols = 96;
  const std::vector<float> w = Weights(rows, cols, 1);
  for (DType type : {DType::kQ8, DType::kQ4}) {
    INFO(Info(type).name);
    QuantMatrix q(type, w, rows, cols);
    std::vector<float> row(cols);
    double err2 = 0, ref2 = 0;
    for (size_t r = 0; r < rows; ++r) {
      kernels::RowToF32(q.m, r, row.data());
      for (size_t c = 0; c < cols; ++c) {
        const double d = std::fabs(quant::Scale(type, q.bytes.data(), cols, r, c));
        const double e = std::fabs(row[c] - w[r * cols + c]);
        // The f16 scale is rounded, so allow its relative error on top.
        CHECK(e <= (type == DType::kQ8 ? 0.5 : 1.0) * d + 1e-3 * std::fabs(w[r * cols + c]) + 1e-12);
        err2 += e * e;
        ref2 += static_cast<double>(w[r * cols + c]) * w[r * cols + c];
      }
    }
    const double rel_rms = std::sqrt(err2 / ref2);
    CHECK(rel_rms < (type == DType::kQ8 ? 0.02 : 0.2));
    // Padding rows of the last group hold scale 0 and the zero point.
    for (size_t r = rows; r < quant::RowGroups(rows) * quant::kTileRows; ++r)
      for (size_t c = 0; c < cols; ++c) {
        CHECK(quant::Code(type, q.bytes.data(), cols, r, c) == 0);
        CHECK(quant::Scale(type, q.bytes.data(), cols, r, c) == 0.0f);
      }
  }
}

TEST_CASE("quant: non-finite weights are stored as zero without poisoning the block", "[quant]") {
  std::vector<float> w(16 * 32, 0.01f);
  w[3] = NAN;
  w[4] = INFINITY;
  w[5] = 0.5f;
  for (DType type : {DType::kQ8, DType::kQ4}) {
    QuantMatrix q(type, w, 16, 32);
    std::vector<float> row(32);
    kernels::RowToF32(q.m, 0, row.data());
    CHECK(row[3] == 0.0f);
    CHECK(row[4] == 0.0f);
    CHECK(row[5] == Approx(0.5f).epsilon(0.01));
  }
}

TEST_CASE("quant: MatMul on every path equals the scalar twin bit for bit", "[quant][kernels]") {
  const size_t shapes[][2] = {{1, 32}, {15, 64}, {16, 32}, {17, 96}, {33, 128}, {64, 320}};
  const size_t ns[] = {1, 2, 3, 4, 5, 6, 7, 8, 12, 13};
  for (DType type : {DType::kQ8, DType::kQ4}) {
    for (const auto& shape : shapes) {
      const size_t rows = shape[0], cols = shape[1];
      INFO(Info(type).name << " " << rows << "x" << cols);
      QuantMatrix q(type, Weights(rows, cols, static_cast<uint32_t>(rows * cols)), rows, cols);
      std::vector<float> bias = Weights(1, rows, 7);
      for (size_t n : ns) {
        INFO("n " << n);
        std::vector<float> x = Weights(n, cols, static_cast<uint32_t>(n + 100));
        for (size_t i = 0; i < x.size(); i += 7) x[i] *= 50.0f;  // activation outliers
        std::vector<float> want(n * rows), got(n * rows);
        ref::MatMul(q.m, x.data(), n, want.data(), bias.data());
        auto check = [&] {
          std::fill(got.begin(), got.end(), NAN);
          kernels::MatMul(q.m, x.data(), n, got.data(), bias.data());
          size_t diff = 0;
          for (size_t i = 0; i < got.size(); ++i) diff += std::memcmp(&got[i], &want[i], 4) != 0;
          CHECK(diff == 0);
        };
        // Every level this CPU runs (each picks its path), and the Highway
        // path alone on every target.
        for (kernels::Isa isa : test::CpuIsaLevels()) {
          test::IsaPin pin(isa);
          INFO("isa " << kernels::IsaName(isa) << ", path " << kernels::QuantPathName());
          check();
        }
        test::IntrinsicsPin off(false);
        test::ForEachTarget([&](const std::string&) { check(); });
      }
    }
  }
}

TEST_CASE("quant: every path equals the scalar twin on arbitrary codes (a file's bytes, not our quantizer's)", "[quant][kernels]") {
  // Codes the quantizer never writes (q8 code 0 is q = -128) must still give
  // the same numbers on every path; scales stay finite so results compare.
  std::mt19937 rng(17);
  std::uniform_real_distribution<float> scale(-0.05f, 0.05f);
  for (DType type : {DType::kQ8, DType::kQ4}) {
    const size_t rows = 48, cols = 256, n = 7;
    uint64_t nbytes = 0;
    REQUIRE(TensorBytes(type, {rows, cols}, &nbytes));
    std::vector<uint8_t> bytes(nbytes);
    for (uint8_t& v : bytes) v = static_cast<uint8_t>(rng());
    const size_t tile = quant::TileBytes(type);
    for (size_t off = 0; off < nbytes; off += tile)
      for (size_t r = 0; r < quant::kTileRows; ++r) {
        const uint16_t d = F32ToF16(scale(rng));
        std::memcpy(&bytes[off + 2 * r], &d, 2);
      }
    for (size_t i = quant::kScaleBytes; i < 64 && type == DType::kQ8; ++i) bytes[i] = 0;  // code 0 for sure
    const WeightMatrix m{type, bytes.data(), rows, cols};
    const std::vector<float> x = Weights(n, cols, 23);
    std::vector<float> want(n * rows), got(n * rows);
    ref::MatMul(m, x.data(), n, want.data());
    for (kernels::Isa isa : test::CpuIsaLevels()) {
      test::IsaPin pin(isa);
      INFO(Info(type).name << ", isa " << kernels::IsaName(isa) << ", path " << kernels::QuantPathName());
      for (size_t rows_n : {size_t{1}, n}) {
        std::fill(got.begin(), got.end(), NAN);
        kernels::MatMul(m, x.data(), rows_n, got.data());
        CHECK(std::memcmp(got.data(), want.data(), rows_n * rows * 4) == 0);
      }
    }
  }
}

TEST_CASE("quant: the cap picks the q8/q4 path of its level", "[quant][kernels]") {
  for (kernels::Isa isa : test::CpuIsaLevels()) {
    test::IsaPin pin(isa);
    const std::string path = kernels::QuantPathName();
    INFO("isa " << kernels::IsaName(isa) << ", path " << path);
    switch (isa) {
      case kernels::Isa::kScalar:
      case kernels::Isa::kSse4: CHECK(path == "highway"); break;
      case kernels::Isa::kAvx2: CHECK(path == "avx2"); break;
      case kernels::Isa::kAvxVnni: CHECK(path == (kernels::CpuHasAvxVnni() ? "avx-vnni" : "avx2")); break;
      case kernels::Isa::kAvx512:
        CHECK(path == (kernels::CpuHasAvx512Vnni() ? "avx512-vnni" : kernels::CpuHasAvxVnni() ? "avx-vnni" : "avx2"));
        break;
      case kernels::Isa::kNeon: CHECK(path == "neon"); break;
      case kernels::Isa::kDotprod: CHECK(path == "neon-dotprod"); break;
    }
    // Highway follows the cap too.
    const std::string target = kernels::TargetName();
#if defined(__aarch64__)
    if (isa == kernels::Isa::kScalar) CHECK(target == "NEON");  // Highway's baseline there: nothing lower is built
#else
    if (isa == kernels::Isa::kScalar) CHECK((target == "EMU128" || target == "SCALAR"));
#endif
    if (isa == kernels::Isa::kAvx2 || isa == kernels::Isa::kAvxVnni) CHECK(target == "AVX2");
    if (isa == kernels::Isa::kNeon) CHECK(target == "NEON");
  }
}

TEST_CASE("quant: MatMul agrees with f32 math on the dequantized weights", "[quant][kernels]") {
  const size_t rows = 40, cols = 256, n = 9;
  for (DType type : {DType::kQ8, DType::kQ4}) {
    INFO(Info(type).name);
    QuantMatrix q(type, Weights(rows, cols, 3), rows, cols);
    std::vector<float> deq(rows * cols);
    for (size_t r = 0; r < rows; ++r) kernels::RowToF32(q.m, r, &deq[r * cols]);
    const std::vector<float> x = Weights(n, cols, 4);
    std::vector<float> got(n * rows), want(n * rows);
    kernels::MatMul(q.m, x.data(), n, got.data());
    ref::MatMul(WeightMatrix{DType::kF32, deq.data(), rows, cols}, x.data(), n, want.data());
    // The only difference is the int8 rounding of the activations: at most
    // half a step (amax / 254) per value, so bound by sum |w| * amax / 254.
    for (size_t i = 0; i < n; ++i)
      for (size_t r = 0; r < rows; ++r) {
        double bound = 1e-6;
        for (size_t b = 0; b < cols / 32; ++b) {
          double amax = 0, wsum = 0;
          for (size_t k = 0; k < 32; ++k) {
            amax = std::max(amax, static_cast<double>(std::fabs(x[i * cols + b * 32 + k])));
            wsum += std::fabs(deq[r * cols + b * 32 + k]);
          }
          bound += wsum * amax / 254.0 * 1.001;
        }
        CHECK(std::fabs(got[i * rows + r] - want[i * rows + r]) <= bound);
      }
  }
}

TEST_CASE("quant: MatMul is identical for 1 and 2 OpenMP threads", "[quant][kernels]") {
  const size_t rows = 200, cols = 1024, n = 8;
  QuantMatrix q(DType::kQ4, Weights(rows, cols, 9), rows, cols);
  const std::vector<float> x = Weights(n, cols, 10);
  std::vector<float> one(n * rows), two(n * rows);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  kernels::MatMul(q.m, x.data(), n, one.data());
  omp_set_num_threads(2);
  kernels::MatMul(q.m, x.data(), n, two.data());
  omp_set_num_threads(saved);
  CHECK(std::memcmp(one.data(), two.data(), one.size() * 4) == 0);
}

}  // namespace ecgr1

namespace ecgr1 {

TEST_CASE("quant: every activation quantizer equals the scalar one, NaN and Inf blocks too", "[quant][kernels]") {
  std::vector<std::pair<const char*, kernels::BlockQuantizer>> quantizers;
#if defined(__x86_64__)
  if (kernels::CpuHasAvx512Vnni()) quantizers.push_back({"avx512", kernels::QuantizeBlockAvx512});
  if (kernels::CpuHasAvx2()) quantizers.push_back({"avx2", kernels::QuantizeBlockAvx2});
#elif defined(__aarch64__)
  quantizers.push_back({"neon", kernels::QuantizeBlockNeon});
#endif
  if (quantizers.empty()) {
    WARN("no vector quantizer for this CPU: nothing to compare");
    return;
  }
  for (const auto& [name, quantize] : quantizers) {
    for (size_t n : {size_t{1}, size_t{3}, size_t{300}}) {  // 300 x 1024: the threaded path
      const size_t cols = 1024;
      INFO(name << ", n " << n);
      std::vector<float> x = Weights(n, cols, static_cast<uint32_t>(n));
      x[5] = NAN;
      x[70] = INFINITY;
      x[100] = -INFINITY;
      for (size_t i = 128; i < 160; ++i) x[i] = 0.0f;   // an all-zero block
      for (size_t i = 160; i < 192; ++i) x[i] = 1e-40f;  // subnormal: 127 / amax overflows, a zero block
      for (size_t i = 192; i < 224; ++i) x[i] = 1e-37f;  // normal, still too small: a zero block
      // amax 127 makes the scale 1: codes of k + 0.5 are ties, rounded to even.
      for (size_t i = 224; i < 256; ++i) x[i] = (i % 2 ? 1.0f : -1.0f) * (static_cast<float>(i - 224) + 0.5f);
      x[255] = 127.0f;
      quant::ActivationBlocks want, got;
      want.Quantize(x.data(), n, cols);
      kernels::QuantizeActivations(x.data(), n, cols, quantize, &got);
      const size_t nb = n * cols / quant::kBlock;
      CHECK(std::memcmp(want.q.data(), got.q.data(), n * cols) == 0);
      CHECK(std::memcmp(want.scale.data(), got.scale.data(), nb * 4) == 0);
      CHECK(std::memcmp(want.sum.data(), got.sum.data(), nb * 4) == 0);
    }
  }
}

}  // namespace ecgr1
