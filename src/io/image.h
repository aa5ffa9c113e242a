// image.h — loading untrusted ECG pictures (photos, scans, renders) as 8-bit RGB.
//
// Decoding is stb_image compiled in image_decode.cc with only its PNG, JPEG and
// BMP decoders (no stdio, no HDR/linear paths, STBI_MAX_DIMENSIONS set); other
// formats are recognised by their magic bytes and refused by name.
//
// Limits, checked on the header (stb's info parser of the format) before anything is
// decoded: the file at most 256 MB, each side at most kMaxImageSide pixels and
// the area at most kMaxImagePixels. Every failure is ecgr1::Error(kBadInput)
// with one line naming the file and the problem (for a corrupt file, stb's
// reason).
//
// The result is what the reference gets from PIL `Image.open(f).convert("RGB")`
// (Pillow 9.4, ms-swift load_image), spec preprocessing.md §4.1:
//   - grey -> R = G = B; grey+alpha -> grey replicated, alpha dropped;
//   - RGBA -> RGB by dropping alpha (no compositing on white), same for a
//     palette or grey image with a tRNS transparency entry;
//   - palette -> RGB through the palette; 1/2/4-bit grey scaled to 0..255;
//   - 16-bit RGB / RGBA / grey+alpha PNG -> the high byte of each sample (Pillow's
//     "RGB;16B" / "RGBA;16B" / "LA;16B" unpackers);
//   - 16-bit grey PNG -> min(value, 255) replicated: Pillow 9.4 opens it as mode
//     "I" and convert("RGB") clips (so most such images come out near white —
//     faithful to the reference, odd as it is);
//   - EXIF orientation is NOT applied (the reference does not apply it);
//   - PNG chunk CRCs are verified (a mismatch is reported as a corrupt file).
// JPEG is decoded by stb, not libjpeg-turbo as in Pillow: IDCT and chroma
// upsampling differ, so JPEG pixels can differ from the reference by a few
// levels. PNG and BMP decode losslessly and match exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ecgr1 {

// Largest accepted side and area (checked before decoding).
constexpr int kMaxImageSide = 8192;
constexpr int64_t kMaxImagePixels = 40'000'000;
constexpr size_t kMaxImageFileBytes = size_t{256} << 20;

// An 8-bit RGB picture, rows top to bottom, pixels interleaved R, G, B.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // [height][width][3]
};

// Reads and decodes an image file (PNG, JPEG or BMP) to RGB.
RgbImage LoadImageRgb(const std::string& path);

// Decodes image bytes held in memory; `what` names the source in messages.
// This is the whole untrusted-bytes surface (fuzz it alone).
RgbImage DecodeImageRgb(const uint8_t* data, size_t size, const std::string& what);

// The format name recognised from the first bytes ("PNG", "JPEG", "BMP",
// "GIF", "WebP", ...), or "" when none matches.
std::string DetectImageFormat(const uint8_t* data, size_t size);

}  // namespace ecgr1
