// image_preprocess.cc — smart_resize, Pillow-exact bicubic resampling and the
// Qwen2-VL patch layout. See image_preprocess.h and spec preprocessing.md §4.
#include "preprocess/image_preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.h"

namespace ecgr1 {
namespace {

// Python's round(n / factor) * factor for positive integers: half to even.
int64_t RoundByFactor(int64_t n, int64_t factor) {
  int64_t q = n / factor;
  const int64_t r2 = 2 * (n % factor);
  if (r2 > factor || (r2 == factor && (q & 1))) ++q;
  return q * factor;
}

// ---- Pillow's resampler (libImaging/Resample.c, from its description) --------
//
// Fixed point: weights carry 22 fraction bits (32 - 8 bits of pixel - 2 bits of
// headroom for the negative lobes), the accumulator starts at one half.
constexpr int kPrecisionBits = 32 - 8 - 2;

// Keys' cubic convolution kernel with a = -0.5, evaluated in the same Horner
// form as Pillow (the double rounding must match for bit-exact weights).
double BicubicKernel(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}
constexpr double kBicubicSupport = 2.0;

// Per-output-index source window and fixed-point weights along one axis.
struct AxisWeights {
  int ksize = 0;               // stride of `k`
  std::vector<int> first;      // [out] first source index
  std::vector<int> count;      // [out] number of source indices
  std::vector<int32_t> k;      // [out * ksize] weights, 22 fraction bits
};

AxisWeights ComputeAxisWeights(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  // Downscaling stretches the kernel over `scale` source pixels (antialiasing).
  const double filterscale = std::max(scale, 1.0);
  const double support = kBicubicSupport * filterscale;
  const double inv_filterscale = 1.0 / filterscale;
  AxisWeights w;
  w.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  w.first.resize(out_size);
  w.count.resize(out_size);
  w.k.assign(static_cast<size_t>(out_size) * w.ksize, 0);
  std::vector<double> kd(w.ksize);
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    // (int) truncates toward zero, as the C original does.
    const int lo = std::max(0, static_cast<int>(center - support + 0.5));
    const int hi = std::min(in_size, static_cast<int>(center + support + 0.5));
    const int n = hi - lo;
    double sum = 0.0;
    for (int x = 0; x < n; ++x) {
      const double v = BicubicKernel((static_cast<double>(x + lo) - center + 0.5) * inv_filterscale);
      kd[x] = v;
      sum += v;
    }
    int32_t* k = &w.k[static_cast<size_t>(i) * w.ksize];
    for (int x = 0; x < n; ++x) {
      const double v = sum != 0.0 ? kd[x] / sum : kd[x];
      // Round half away from zero.
      k[x] = v < 0.0 ? static_cast<int32_t>(-0.5 + v * (1 << kPrecisionBits))
                     : static_cast<int32_t>(0.5 + v * (1 << kPrecisionBits));
    }
    w.first[i] = lo;
    w.count[i] = n;
  }
  return w;
}

inline uint8_t Clip8(int32_t acc) {
  if (acc >= (1 << kPrecisionBits << 8)) return 255;
  if (acc <= 0) return 0;
  return static_cast<uint8_t>(acc >> kPrecisionBits);
}

// Horizontal pass over source rows [row0, row0 + rows) into an out_w-wide image.
RgbImage ResampleHorizontal(const RgbImage& in, int row0, int rows, const AxisWeights& w,
                            int out_w) {
  RgbImage out;
  out.width = out_w;
  out.height = rows;
  out.rgb.resize(static_cast<size_t>(out_w) * rows * 3);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* src = &in.rgb[static_cast<size_t>(row0 + y) * in.width * 3];
    uint8_t* dst = &out.rgb[static_cast<size_t>(y) * out_w * 3];
    for (int x = 0; x < out_w; ++x) {
      const int32_t* k = &w.k[static_cast<size_t>(x) * w.ksize];
      const uint8_t* s = src + static_cast<size_t>(w.first[x]) * 3;
      int32_t a0 = 1 << (kPrecisionBits - 1), a1 = a0, a2 = a0;
      for (int j = 0; j < w.count[x]; ++j) {
        a0 += s[3 * j + 0] * k[j];
        a1 += s[3 * j + 1] * k[j];
        a2 += s[3 * j + 2] * k[j];
      }
      dst[3 * x + 0] = Clip8(a0);
      dst[3 * x + 1] = Clip8(a1);
      dst[3 * x + 2] = Clip8(a2);
    }
  }
  return out;
}

// Vertical pass; `row_offset` is subtracted from the source row indices (the
// horizontal pass only produced rows from there on).
RgbImage ResampleVertical(const RgbImage& in, int row_offset, const AxisWeights& w, int out_h) {
  RgbImage out;
  out.width = in.width;
  out.height = out_h;
  const size_t stride = static_cast<size_t>(in.width) * 3;
  out.rgb.resize(stride * out_h);
  std::vector<int32_t> acc(stride);
  for (int y = 0; y < out_h; ++y) {
    const int32_t* k = &w.k[static_cast<size_t>(y) * w.ksize];
    std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
    for (int j = 0; j < w.count[y]; ++j) {
      const uint8_t* src = &in.rgb[static_cast<size_t>(w.first[y] - row_offset + j) * stride];
      const int32_t kj = k[j];
      for (size_t i = 0; i < stride; ++i) acc[i] += src[i] * kj;
    }
    uint8_t* dst = &out.rgb[static_cast<size_t>(y) * stride];
    for (size_t i = 0; i < stride; ++i) dst[i] = Clip8(acc[i]);
  }
  return out;
}

}  // namespace

std::pair<int, int> SmartResize(int height, int width, int factor, int64_t min_pixels,
                                int64_t max_pixels, const std::string& what) {
  if (height <= 0 || width <= 0) {
    Fail(ExitCode::kBadInput, "%s: image is %d x %d pixels", what.c_str(), width, height);
  }
  const double ratio = static_cast<double>(std::max(height, width)) / std::min(height, width);
  if (ratio > kImageMaxAspectRatio) {
    Fail(ExitCode::kBadInput, "%s: image is %d x %d, aspect ratio %.1f is above the limit of %g",
         what.c_str(), width, height, ratio, kImageMaxAspectRatio);
  }
  int64_t h = std::max<int64_t>(factor, RoundByFactor(height, factor));
  int64_t w = std::max<int64_t>(factor, RoundByFactor(width, factor));
  const double hd = height, wd = width, f = factor;
  if (h * w > max_pixels) {
    const double beta = std::sqrt(hd * wd / static_cast<double>(max_pixels));
    h = static_cast<int64_t>(std::floor(hd / beta / f)) * factor;
    w = static_cast<int64_t>(std::floor(wd / beta / f)) * factor;
  } else if (h * w < min_pixels) {
    const double beta = std::sqrt(static_cast<double>(min_pixels) / (hd * wd));
    h = static_cast<int64_t>(std::ceil(hd * beta / f)) * factor;
    w = static_cast<int64_t>(std::ceil(wd * beta / f)) * factor;
  }
  // qwen_vl_utils has no lower clamp after the max-pixels branch; with the
  // aspect-ratio limit it cannot reach 0 for the default budget, but guard it.
  if (h <= 0 || w <= 0) {
    Fail(ExitCode::kBadInput, "%s: image is %d x %d, too elongated to resize within the budget",
         what.c_str(), width, height);
  }
  return {static_cast<int>(h), static_cast<int>(w)};
}

RgbImage ResizeBicubicPillow(const RgbImage& in, int out_w, int out_h) {
  if (out_w <= 0 || out_h <= 0 || in.width <= 0 || in.height <= 0) {
    Fail(ExitCode::kInternal, "resize of a %d x %d image to %d x %d", in.width, in.height, out_w,
         out_h);
  }
  const bool need_h = out_w != in.width;
  const bool need_v = out_h != in.height;
  if (!need_h && !need_v) return in;
  const AxisWeights wx = ComputeAxisWeights(in.width, out_w);
  const AxisWeights wy = ComputeAxisWeights(in.height, out_h);
  if (!need_h) return ResampleVertical(in, 0, wy, out_h);
  // Only the source rows some output row reads: [first of row 0, end of the last row).
  const int row_first = need_v ? wy.first[0] : 0;
  const int row_end = need_v ? wy.first[out_h - 1] + wy.count[out_h - 1] : in.height;
  RgbImage tmp = ResampleHorizontal(in, row_first, row_end - row_first, wx, out_w);
  if (!need_v) return tmp;
  return ResampleVertical(tmp, row_first, wy, out_h);
}

ImagePatches Patchify(const RgbImage& img, int patch, int temporal, int merge) {
  const int unit = patch * merge;
  if (img.width <= 0 || img.height <= 0 || img.width % unit != 0 || img.height % unit != 0) {
    Fail(ExitCode::kInternal, "Patchify: image %d x %d is not a multiple of %d", img.width,
         img.height, unit);
  }
  // numpy: rescale = float32(uint8 * float64(1/255)); normalize = (v - 0.5f) / 0.5f in float32.
  float lut[256];
  for (int x = 0; x < 256; ++x) {
    const float scaled = static_cast<float>(x * (1.0 / 255.0));
    lut[x] = (scaled - 0.5f) / 0.5f;
  }
  ImagePatches out;
  out.grid_t = 1;
  out.grid_h = img.height / patch;
  out.grid_w = img.width / patch;
  out.resized_h = img.height;
  out.resized_w = img.width;
  const size_t row_len = size_t{3} * temporal * patch * patch;
  const size_t rows = size_t(out.grid_h) * out.grid_w;
  out.pixel_values.resize(rows * row_len);
  float* dst = out.pixel_values.data();
  // Rows: merge windows in raster order, the merge x merge patches of a window
  // row-major; values: (c, t, y, x), the t copies identical (a still image).
  for (int bh = 0; bh < out.grid_h / merge; ++bh) {
    for (int bw = 0; bw < out.grid_w / merge; ++bw) {
      for (int ir = 0; ir < merge; ++ir) {
        for (int ic = 0; ic < merge; ++ic) {
          const int y0 = (bh * merge + ir) * patch;
          const int x0 = (bw * merge + ic) * patch;
          for (int c = 0; c < 3; ++c) {
            for (int t = 0; t < temporal; ++t) {
              for (int y = 0; y < patch; ++y) {
                const uint8_t* src =
                    &img.rgb[(static_cast<size_t>(y0 + y) * img.width + x0) * 3 + c];
                for (int x = 0; x < patch; ++x) *dst++ = lut[src[3 * x]];
              }
            }
          }
        }
      }
    }
  }
  return out;
}

ImagePatches PreprocessImage(const RgbImage& image, const std::string& what) {
  const auto [h, w] = SmartResize(image.height, image.width, kImageFactor, kImageMinPixels,
                                  kImageMaxPixels, what);
  if (h == image.height && w == image.width) return Patchify(image);
  return Patchify(ResizeBicubicPillow(image, w, h));
}

}  // namespace ecgr1
