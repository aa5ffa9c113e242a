#include "kernels/ops_ref.h"

#include <cmath>
#include <cstdlib>
#include <vector>

#include "base/bf16.h"
#include "base/error.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {

size_t WeightMatrix::row_bytes() const {
  uint64_t b = 0;
  if (!BytesOf(type, cols, &b))  // plain types only: q8 / q4 rows are interleaved in tiles
    Fail(ExitCode::kInternal, "%s weight rows have no byte size of their own", Info(type).name);
  return static_cast<size_t>(b);
}

void CheckMatrixType(const WeightMatrix& w) {
  const bool tiled = quant::IsTiled(w.type);
  if (w.type != DType::kF32 && w.type != DType::kBF16 && w.type != DType::kF16 && !tiled)
    Fail(ExitCode::kInternal, "kernels cannot compute with %s weights", Info(w.type).name);
  if (tiled && w.cols % quant::kBlock != 0)
    Fail(ExitCode::kInternal, "%s matrix with %zu columns: not whole blocks", Info(w.type).name, w.cols);
}

WeightMatrix AsMatrix(const TensorView& t) {
  WeightMatrix m;
  m.type = t.dtype;
  m.data = t.data;
  m.rows = t.shape.empty() ? 1 : static_cast<size_t>(t.shape[0]);
  m.cols = m.rows == 0 ? 0 : static_cast<size_t>(t.numel() / m.rows);
  return m;
}

namespace ref {

void RowToF32(const WeightMatrix& w, size_t r, float* out) {
  CheckMatrixType(w);
  if (quant::IsTiled(w.type)) return quant::DequantizeRow(w.type, static_cast<const uint8_t*>(w.data), w.cols, r, out);
  const uint8_t* row = static_cast<const uint8_t*>(w.data) + r * w.row_bytes();
  switch (w.type) {
    case DType::kF32:
      for (size_t i = 0; i < w.cols; ++i) out[i] = reinterpret_cast<const float*>(row)[i];
      break;
    case DType::kBF16:
      for (size_t i = 0; i < w.cols; ++i) out[i] = Bf16ToF32(reinterpret_cast<const uint16_t*>(row)[i]);
      break;
    case DType::kF16:
      for (size_t i = 0; i < w.cols; ++i) out[i] = F16ToF32(reinterpret_cast<const uint16_t*>(row)[i]);
      break;
    default:
      break;  // refused by CheckMatrixType above
  }
}

namespace {

// q8 / q4: the activations are quantized to int8 blocks as every kernel does;
// each block's contribution is then the dequantized dot product, accumulated
// in the order and with the roundings that tiled_quant.h fixes.
void MatMulTiled(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias) {
  const uint8_t* data = static_cast<const uint8_t*>(w.data);
  const int zp = quant::ZeroPoint(w.type);
  quant::ActivationBlocks a;
  a.Quantize(x, n, w.cols);
  const size_t nb = a.blocks();
  for (size_t r = 0; r < w.rows; ++r) {
    for (size_t i = 0; i < n; ++i) {
      float acc = 0.0f;
      for (size_t b = 0; b < nb; ++b) {
        int32_t dot = 0;
        for (size_t k = 0; k < quant::kBlock; ++k)
          dot += (quant::Code(w.type, data, w.cols, r, b * quant::kBlock + k) + zp) * a.q[i * w.cols + b * quant::kBlock + k];
        const float dw = quant::Scale(w.type, data, w.cols, r, b * quant::kBlock);
        acc = std::fma(static_cast<float>(dot - zp * a.sum[i * nb + b]), dw * a.scale[i * nb + b], acc);
      }
      y[i * w.rows + r] = bias ? acc + bias[r] : acc;
    }
  }
}

}  // namespace

void MatMul(const WeightMatrix& w, const float* x, size_t n, float* y, const float* bias) {
  if (quant::IsTiled(w.type)) return MatMulTiled(w, x, n, y, bias);
  std::vector<float> row(w.cols);
  for (size_t r = 0; r < w.rows; ++r) {
    RowToF32(w, r, row.data());
    for (size_t i = 0; i < n; ++i) {
      double acc = 0;
      const float* xi = x + i * w.cols;
      for (size_t c = 0; c < w.cols; ++c) acc += static_cast<double>(row[c]) * xi[c];
      y[i * w.rows + r] = static_cast<float>(acc) + (bias ? bias[r] : 0.0f);
    }
  }
}

float Dot(const float* a, const float* b, size_t n) {
  double acc = 0;
  for (size_t i = 0; i < n; ++i) acc += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(acc);
}

void Axpy(float a, const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

float DotBf16(const float* a, const uint16_t* b, size_t n) {
  double acc = 0;
  for (size_t i = 0; i < n; ++i) acc += static_cast<double>(a[i]) * Bf16ToF32(b[i]);
  return static_cast<float>(acc);
}

void AxpyBf16(float a, const uint16_t* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += a * Bf16ToF32(x[i]);
}

void Add(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += x[i];
}

void Scale(float a, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] *= a;
}

void RmsNorm(const float* x, const float* gamma, size_t n, float eps, float* out) {
  double ss = 0;
  for (size_t i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  const float inv = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
  for (size_t i = 0; i < n; ++i) out[i] = x[i] * inv * gamma[i];
}

void LayerNorm(const float* x, const float* gamma, const float* beta, size_t n, float eps, float* out) {
  double mean = 0;
  for (size_t i = 0; i < n; ++i) mean += x[i];
  mean /= static_cast<double>(n);
  double var = 0;
  for (size_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= static_cast<double>(n);
  const double inv = 1.0 / std::sqrt(var + eps);
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<float>((x[i] - mean) * inv) * gamma[i] + beta[i];
}

void Softmax(float* x, size_t n) {
  if (n == 0) return;
  float m = x[0];
  for (size_t i = 1; i < n; ++i) m = std::max(m, x[i]);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - m);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (size_t i = 0; i < n; ++i) x[i] *= inv;
}

void SiluMul(float* gate, const float* up, size_t n) {
  for (size_t i = 0; i < n; ++i) gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void GeluErf(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678118654752f));
}

void GeluTanh(float* x, size_t n) {
  const float k = 0.79788456080286536f;  // sqrt(2/pi)
  for (size_t i = 0; i < n; ++i)
    x[i] = 0.5f * x[i] * (1.0f + std::tanh(k * (x[i] + 0.044715f * x[i] * x[i] * x[i])));
}

void RopeRotateHalf(float* x, const float* cos_, const float* sin_, size_t dim) {
  const size_t half = dim / 2;
  for (size_t j = 0; j < half; ++j) {
    const float a = x[j], b = x[j + half];
    x[j] = a * cos_[j] - b * sin_[j];
    x[j + half] = b * cos_[j] + a * sin_[j];
  }
}

}  // namespace ref
}  // namespace ecgr1
