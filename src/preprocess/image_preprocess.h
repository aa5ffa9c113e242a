// image_preprocess.h — ECG picture -> Qwen3-VL pixel_values, exactly as the
// reference does it (spec preprocessing.md §4):
//
//   RgbImage --SmartResize--> (h', w') --ResizeBicubicPillow--> RgbImage h' x w'
//            --Patchify--> pixel_values [gh*gw, 1536] float32, grid [1, gh, gw]
//
// SmartResize is qwen_vl_utils 0.0.14's smart_resize (Python round = half to
// even, double arithmetic in the same order). ResizeBicubicPillow is bit-exact
// with Pillow's Image.resize(..., BICUBIC) on RGB (the two-pass fixed-point
// algorithm of libImaging/Resample.c, written from its description). Patchify
// is the slow Qwen2VLImageProcessor with do_resize=False: rescale, normalise,
// temporal duplication, 2x2-merge-window patch order.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "io/image.h"

namespace ecgr1 {

// The reference budget: factor = patch 16 x merge 2; 4 .. 768 merged tokens.
constexpr int kImageFactor = 32;
constexpr int64_t kImageMinPixels = 4 * 32 * 32;
constexpr int64_t kImageMaxPixels = 768 * 32 * 32;
constexpr double kImageMaxAspectRatio = 200.0;

// Target (height, width), multiples of `factor`. Fails (kBadInput) when the
// aspect ratio exceeds 200 or a side is not positive. `what` names the image.
std::pair<int, int> SmartResize(int height, int width, int factor = kImageFactor,
                                int64_t min_pixels = kImageMinPixels,
                                int64_t max_pixels = kImageMaxPixels,
                                const std::string& what = "image");

// Pillow-exact bicubic resize of an RGB image to out_w x out_h (both >= 1).
// The same size returns a copy.
RgbImage ResizeBicubicPillow(const RgbImage& in, int out_w, int out_h);

// The processor's output for one still image.
struct ImagePatches {
  std::vector<float> pixel_values;  // [grid_t*grid_h*grid_w, 3*temporal*patch*patch]
  int grid_t = 0, grid_h = 0, grid_w = 0;
  int resized_w = 0, resized_h = 0;
};

// `resized` must have sides that are multiples of patch*merge (SmartResize's
// output). Each value is float32((float32(x * (1/255 in double)) - 0.5f) / 0.5f)
// — numpy's rescale (float64 product cast to float32) then normalize in float32.
// Row r = the patch at 2x2 merge window r/4, position (r%4)/2, r%2 inside it, in
// raster order of windows; inside a row the order is (c, t, y, x).
ImagePatches Patchify(const RgbImage& resized, int patch = 16, int temporal = 2, int merge = 2);

// The whole pipeline: SmartResize, ResizeBicubicPillow (skipped when the size
// is unchanged), Patchify.
ImagePatches PreprocessImage(const RgbImage& image, const std::string& what = "image");

}  // namespace ecgr1
