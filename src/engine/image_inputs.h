// image_inputs.h — ECG images in the prompt: load and preprocess as ECG-R1's
// stack does, encode with the vision encoder, write the merged tokens over the
// <|image_pad|> embeddings and add the DeepStack features after the first
// decoder layers.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model.h"
#include "io/image.h"
#include "nn/text_decoder.h"
#include "nn/vision_encoder.h"
#include "preprocess/image_preprocess.h"
#include "text/prompt.h"

namespace ecgr1 {

struct ImageInput {
  ImagePatches patches;
  nlohmann::json report;  // width, height, resized_width, resized_height, grid_thw, tokens
  // Merged grid (rows, cols) = image tokens in raster order.
  std::array<int, 2> merged_grid(int merge) const { return {patches.grid_h / merge, patches.grid_w / merge}; }
};

// Loads (PNG, JPEG, BMP) and preprocesses one image; Error(kBadInput) names the file.
ImageInput PrepareImage(const std::string& path);
// Preprocesses an image already in memory (e.g. a rendered record); `name`
// stands for it in the report and in messages.
ImageInput PrepareImage(const RgbImage& image, const std::string& name);

// Runs the vision encoder on each image; `progress`, if set, is called after
// each encoder block with (blocks done, blocks in all images).
std::vector<VisionOutput> EncodeImages(const Model& model, const std::vector<ImageInput>& images,
                                       const std::function<void(size_t done, size_t total)>& progress = nullptr);

// Writes each image's merged tokens at its <|image_pad|> run in `embeds` [L, H].
void ScatterImageRows(const PromptPlan& plan, const std::vector<VisionOutput>& images, size_t hidden, float* embeds);

// A prefill hook adding DeepStack feature k of every image after decoder layer k.
std::function<void(int, float*, size_t)> DeepstackHook(const PromptPlan& plan, const std::vector<VisionOutput>& images,
                                                       size_t hidden);

}  // namespace ecgr1
