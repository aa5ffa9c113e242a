#include "engine/image_inputs.h"

#include <algorithm>

#include "base/error.h"
#include "io/image.h"
#include "kernels/ops.h"

namespace ecgr1 {

ImageInput PrepareImage(const std::string& path) { return PrepareImage(LoadImageRgb(path), path); }

ImageInput PrepareImage(const RgbImage& image, const std::string& path) {
  ImageInput in;
  in.patches = PreprocessImage(image, path);
  const ImagePatches& p = in.patches;
  in.report = {{"path", path},
               {"width", image.width},
               {"height", image.height},
               {"resized_width", p.resized_w},
               {"resized_height", p.resized_h},
               {"resized", p.resized_w != image.width || p.resized_h != image.height},
               {"grid_thw", {p.grid_t, p.grid_h, p.grid_w}},
               {"tokens", p.grid_t * p.grid_h * p.grid_w / 4}};
  return in;
}

std::vector<VisionOutput> EncodeImages(const Model& model, const std::vector<ImageInput>& images,
                                       const std::function<void(size_t done, size_t total)>& progress) {
  std::vector<VisionOutput> out;
  if (images.empty()) return out;
  if (!model.config().has_vision) Fail(ExitCode::kUsage, "%s has no vision encoder", model.path().c_str());
  const VisionEncoder enc(model.vision_weights(), model.config().vision);
  const size_t total = images.size() * static_cast<size_t>(model.config().vision.depth);
  size_t done = 0;
  // The encoder names each block's output as it finishes: count those.
  VisionEncoder::Dump count;
  if (progress)
    count = [&](const std::string& name, const float*, size_t, size_t) {
      if (name.rfind("vision_block", 0) == 0) progress(++done, total);
    };
  for (const ImageInput& im : images)
    out.push_back(enc.Encode(im.patches.pixel_values.data(), im.patches.grid_h, im.patches.grid_w, count));
  return out;
}

void ScatterImageRows(const PromptPlan& plan, const std::vector<VisionOutput>& images, size_t hidden, float* embeds) {
  if (images.size() != plan.image_starts.size())
    Fail(ExitCode::kInternal, "%zu images for %zu <image> placeholders", images.size(), plan.image_starts.size());
  for (size_t k = 0; k < images.size(); ++k)
    std::copy(images[k].merged.begin(), images[k].merged.end(), embeds + plan.image_starts[k] * hidden);
}

std::function<void(int, float*, size_t)> DeepstackHook(const PromptPlan& plan, const std::vector<VisionOutput>& images,
                                                       size_t hidden) {
  return [&plan, &images, hidden](int layer, float* h, size_t n) {
    if (n != plan.ids.size()) return;  // prefill only
    for (size_t k = 0; k < images.size(); ++k) {
      if (layer < 0 || static_cast<size_t>(layer) >= images[k].deepstack.size()) continue;
      const std::vector<float>& ds = images[k].deepstack[static_cast<size_t>(layer)];
      kernels::Add(ds.data(), h + plan.image_starts[k] * hidden, ds.size());
    }
  };
}

}  // namespace ecgr1
