// Tests of image loading and preprocessing [image]: the golden pictures through
// SmartResize / ResizeBicubicPillow / Patchify against the reference tensors
// (bit-exact), the spec's worked sizes, and hostile or unusual files: huge
// headers, corrupt and truncated PNGs, unsupported formats, every PNG colour
// type decoded the way Pillow 9.4's convert("RGB") does.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.h"
#include "golden.h"
#include "io/image.h"
#include "io/zip_reader.h"  // Crc32
#include "preprocess/image_preprocess.h"
#include "test_util.h"

// stb_image_write, compiled here (tests only) to make PNG/BMP/JPEG files.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

using ecgr1::DecodeImageRgb;
using ecgr1::Error;
using ecgr1::ExitCode;
using ecgr1::ImagePatches;
using ecgr1::LoadImageRgb;
using ecgr1::Patchify;
using ecgr1::ResizeBicubicPillow;
using ecgr1::RgbImage;
using ecgr1::SmartResize;
using ecgr1::test::GoldenCase;
using ecgr1::test::GoldenDir;
using ecgr1::test::TempDir;
using ecgr1::test::WriteAll;

namespace {

// ---- small file builders ------------------------------------------------------

std::string Be32(uint32_t v) {
  const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  return std::string(b, 4);
}

std::string PngChunk(const std::string& type, const std::string& data) {
  const std::string td = type + data;
  return Be32(static_cast<uint32_t>(data.size())) + td +
         Be32(ecgr1::Crc32(reinterpret_cast<const uint8_t*>(td.data()), td.size()));
}

// A zlib stream of stored (uncompressed) deflate blocks.
std::string ZlibStored(const std::string& raw) {
  std::string z = "\x78\x01";
  size_t pos = 0;
  do {
    const size_t n = std::min<size_t>(65535, raw.size() - pos);
    const bool last = pos + n == raw.size();
    z += char(last ? 1 : 0);
    z += char(n & 0xff);
    z += char(n >> 8);
    z += char(~n & 0xff);
    z += char((~n >> 8) & 0xff);
    z += raw.substr(pos, n);
    pos += n;
  } while (pos < raw.size());
  uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return z + Be32((b << 16) | a);
}

// A PNG with the given IHDR fields; `rows` holds the raw scanlines without
// filter bytes (filter 0 = None is inserted); `extra` goes before IDAT.
std::string MakePng(int w, int h, int depth, int ctype, const std::string& rows,
                    const std::string& extra = "") {
  const size_t stride = rows.size() / h;
  std::string raw;
  for (int y = 0; y < h; ++y) raw += '\0' + rows.substr(y * stride, stride);
  const std::string ihdr = Be32(w) + Be32(h) + char(depth) + char(ctype) + std::string(3, '\0');
  return std::string("\x89PNG\r\n\x1a\n", 8) + PngChunk("IHDR", ihdr) + extra +
         PngChunk("IDAT", ZlibStored(raw)) + PngChunk("IEND", "");
}

void AppendBytes(void* ctx, void* data, int size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size);
}

std::string StbPng(int w, int h, int comp, const std::vector<uint8_t>& px) {
  std::string out;
  REQUIRE(stbi_write_png_to_func(AppendBytes, &out, w, h, comp, px.data(), w * comp));
  return out;
}

RgbImage Decode(const std::string& bytes) {
  return DecodeImageRgb(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "t.png");
}

// The message of the kBadInput error that decoding `bytes` throws.
std::string DecodeError(const std::string& bytes) {
  try {
    Decode(bytes);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    return e.what();
  }
  FAIL("no error for a bad image");
  return "";
}

std::vector<uint8_t> GoldenRgb(const GoldenCase& c) {
  std::vector<uint8_t> out;
  for (int64_t v : c.I64("image_resized_rgb_u8")) out.push_back(static_cast<uint8_t>(v));
  return out;
}

size_t CountDiff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  size_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += std::memcmp(&a[i], &b[i], 4) != 0;
  return n;
}

std::vector<int64_t> Grid(const ImagePatches& p) { return {p.grid_t, p.grid_h, p.grid_w}; }

}  // namespace

// ---- golden cases ---------------------------------------------------------------

TEST_CASE("golden no-resize image gives the reference pixel_values bit for bit", "[image]") {
  const GoldenCase c("image_noresize");
  const RgbImage img = LoadImageRgb(GoldenDir() + "/inputs/image_noresize_64x96.png");
  REQUIRE(img.width == 96);
  REQUIRE(img.height == 64);
  CHECK(img.rgb == GoldenRgb(c));
  CHECK(SmartResize(64, 96) == std::make_pair(64, 96));
  const ImagePatches p = ecgr1::PreprocessImage(img);
  CHECK(Grid(p) == c.I64("image_grid_thw"));
  CHECK(Grid(p) == std::vector<int64_t>{1, 4, 6});
  CHECK(p.resized_w == 96);
  CHECK(p.resized_h == 64);
  const std::vector<float> want = c.F32("pixel_values");
  REQUIRE(p.pixel_values.size() == want.size());
  CHECK(CountDiff(p.pixel_values, want) == 0);
}

TEST_CASE("golden resize image: smart_resize size, Pillow bicubic bytes, pixel_values", "[image]") {
  const GoldenCase c("image_resize");
  const RgbImage img = LoadImageRgb(GoldenDir() + "/inputs/image_resize_90x141.png");
  REQUIRE(img.width == 141);
  REQUIRE(img.height == 90);
  const auto hw = c.manifest()["image_source_hw"];
  CHECK(img.height == hw[0].get<int>());
  CHECK(img.width == hw[1].get<int>());
  const auto [h, w] = SmartResize(img.height, img.width);
  CHECK(h == 96);
  CHECK(w == 128);
  const RgbImage r = ResizeBicubicPillow(img, w, h);
  REQUIRE(r.width == 128);
  REQUIRE(r.height == 96);
  const std::vector<uint8_t> want_rgb = GoldenRgb(c);
  REQUIRE(r.rgb.size() == want_rgb.size());
  size_t bytes_differ = 0;
  for (size_t i = 0; i < want_rgb.size(); ++i) bytes_differ += r.rgb[i] != want_rgb[i];
  CHECK(bytes_differ == 0);

  const ImagePatches p = Patchify(r);
  CHECK(Grid(p) == c.I64("image_grid_thw"));
  CHECK(Grid(p) == std::vector<int64_t>{1, 6, 8});
  CHECK(CountDiff(p.pixel_values, c.F32("pixel_values")) == 0);
  CHECK(CountDiff(ecgr1::PreprocessImage(img).pixel_values, p.pixel_values) == 0);
}

TEST_CASE("normalisation equals numpy's rescale-then-normalize and x/127.5f - 1", "[image]") {
  RgbImage img{32, 32, std::vector<uint8_t>(32 * 32 * 3)};
  for (size_t i = 0; i < img.rgb.size(); ++i) img.rgb[i] = static_cast<uint8_t>(i % 256);
  const ImagePatches p = Patchify(img);
  REQUIRE(p.pixel_values.size() == 4 * 1536);
  // Every pixel value appears; check each against both closed forms.
  for (int x = 0; x < 256; ++x) {
    const float numpy = (static_cast<float>(x * (1.0 / 255.0)) - 0.5f) / 0.5f;
    const float alt = static_cast<float>(x) / 127.5f - 1.0f;
    CHECK(std::memcmp(&numpy, &alt, 4) == 0);
  }
  // Layout: row r = patch (r/2 % 2, r % 2) of the one 2x2 window; (c, t, y, x).
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 3; ++c) {
      for (int t = 0; t < 2; ++t) {
        for (int y = 0; y < 16; ++y) {
          for (int x = 0; x < 16; ++x) {
            const int py = (r / 2) * 16 + y, px = (r % 2) * 16 + x;
            const int v = img.rgb[(py * 32 + px) * 3 + c];
            const float got = p.pixel_values[r * 1536 + c * 512 + t * 256 + y * 16 + x];
            REQUIRE(got == static_cast<float>(v) / 127.5f - 1.0f);
          }
        }
      }
    }
  }
}

// ---- smart_resize -------------------------------------------------------------------

TEST_CASE("SmartResize reproduces the spec's worked sizes", "[image]") {
  struct Row { int w, h, out_w, out_h; };
  const Row rows[] = {
      {2200, 1700, 992, 768}, {1100, 850, 992, 768}, {2000, 1500, 1024, 768},
      {1400, 1020, 1024, 736}, {800, 600, 800, 608}, {800, 592, 800, 576},
      {512, 512, 512, 512},   {4000, 3000, 1024, 768}, {96, 64, 96, 64}, {141, 90, 128, 96},
  };
  for (const Row& r : rows) {
    INFO(r.w << " x " << r.h);
    CHECK(SmartResize(r.h, r.w) == std::make_pair(r.out_h, r.out_w));
  }
  // Half to even: 18.5 -> 18, 19.5 -> 20.
  CHECK(SmartResize(592, 640).first == 576);
  CHECK(SmartResize(624, 640).first == 640);
  // Below the minimum of 4 tokens: scaled up, ceil.
  CHECK(SmartResize(10, 10) == std::make_pair(64, 64));
  CHECK(SmartResize(1, 150) == std::make_pair(32, 160));
  // Aspect ratio above 200 is refused; 200 itself is accepted.
  CHECK_THROWS_AS(SmartResize(10, 2001), Error);
  CHECK_NOTHROW(SmartResize(10, 2000));
  // Budget never exceeded.
  for (int h : {41, 500, 1234, 3001, 8192}) {
    for (int w : {47, 640, 2999, 8000}) {
      const auto [oh, ow] = SmartResize(h, w);
      CHECK(oh % 32 == 0);
      CHECK(ow % 32 == 0);
      CHECK(int64_t{oh} * ow <= ecgr1::kImageMaxPixels);
      CHECK(int64_t{oh} * ow >= ecgr1::kImageMinPixels);
    }
  }
}

// ---- the resampler ----------------------------------------------------------------

TEST_CASE("ResizeBicubicPillow keeps flat images flat and copies at the same size", "[image]") {
  struct Case { int w, h, ow, oh; };
  const Case cases[] = {{141, 90, 128, 96}, {50, 40, 50, 97}, {50, 40, 13, 40},
                        {7, 5, 64, 64},     {300, 200, 32, 32}, {1, 1, 3, 2}};
  for (const Case& k : cases) {
    for (uint8_t v : {uint8_t{0}, uint8_t{1}, uint8_t{128}, uint8_t{254}, uint8_t{255}}) {
      RgbImage img{k.w, k.h, std::vector<uint8_t>(size_t(k.w) * k.h * 3, v)};
      const RgbImage r = ResizeBicubicPillow(img, k.ow, k.oh);
      REQUIRE(r.width == k.ow);
      REQUIRE(r.height == k.oh);
      for (uint8_t o : r.rgb) REQUIRE(o == v);
    }
  }
  RgbImage img{5, 3, {}};
  for (int i = 0; i < 45; ++i) img.rgb.push_back(static_cast<uint8_t>(i * 37));
  CHECK(ResizeBicubicPillow(img, 5, 3).rgb == img.rgb);
}

// ---- loading -------------------------------------------------------------------------

TEST_CASE("a 4000 x 3000 photo is accepted and resized to 768 tokens", "[image]") {
  const int w = 4000, h = 3000;
  std::vector<uint8_t> px(size_t(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &px[(size_t(y) * w + x) * 3];
      const bool grid = x % 40 == 0 || y % 40 == 0;  // an ECG paper grid
      p[0] = 250;
      p[1] = grid ? 170 : 235;
      p[2] = grid ? 170 : 235;
    }
  }
  stbi_write_png_compression_level = 1;
  const std::string png = StbPng(w, h, 3, px);
  TempDir dir;
  WriteAll(dir.File("photo.png"), png);
  const RgbImage img = LoadImageRgb(dir.File("photo.png"));
  REQUIRE(img.width == w);
  REQUIRE(img.height == h);
  CHECK(img.rgb == px);
  const ImagePatches p = ecgr1::PreprocessImage(img);
  CHECK(Grid(p) == std::vector<int64_t>{1, 48, 64});
  CHECK(p.grid_h * p.grid_w / 4 <= 768);
  CHECK(p.pixel_values.size() == size_t(48) * 64 * 1536);
}

TEST_CASE("images above the size limit are refused from the header, before decoding", "[image]") {
  // A 10000 x 10000 (100-megapixel) IHDR with a valid CRC and a tiny IDAT.
  const std::string big = MakePng(10000, 1, 8, 2, std::string(30000, '\x7f'));
  std::string hdr = big;
  // Rewrite the height to 10000 (IDAT now far too short: decoding would fail
  // differently, so the size message proves the refusal came first).
  const std::string ihdr = Be32(10000) + Be32(10000) + "\x08\x02" + std::string(3, '\0');
  hdr.replace(8, 25, PngChunk("IHDR", ihdr));
  std::string msg = DecodeError(hdr);
  CHECK_THAT(msg, Catch::Contains("t.png: image is 10000 x 10000, larger than the 8192 x 8192 / "
                                  "40-megapixel limit"));
  // One side too long, area fine; area too large, sides fine.
  msg = DecodeError(MakePng(8193, 1, 8, 0, std::string(8193, '\0')));
  CHECK_THAT(msg, Catch::Contains("image is 8193 x 1, larger than"));
  std::string area = MakePng(7000, 1, 8, 0, std::string(7000, '\0'));
  area.replace(8, 25, PngChunk("IHDR", Be32(7000) + Be32(7000) + "\x08" + std::string(4, '\0')));
  CHECK_THAT(DecodeError(area), Catch::Contains("image is 7000 x 7000, larger than"));
}

TEST_CASE("corrupt and truncated PNGs are refused with a clear error", "[image]") {
  const std::string good =
      ecgr1::test::ReadAll(GoldenDir() + "/inputs/image_resize_90x141.png");
  REQUIRE(good.size() > 200);
  CHECK(Decode(good).width == 141);

  // Truncated in the middle of IDAT.
  CHECK_THAT(DecodeError(good.substr(0, good.size() / 2)), Catch::Contains("truncated"));
  // Missing IEND (the last 12 bytes).
  CHECK_THAT(DecodeError(good.substr(0, good.size() - 12)), Catch::Contains("IEND"));
  // A flipped byte inside IDAT: the chunk CRC no longer matches.
  const size_t idat = good.find("IDAT");
  REQUIRE(idat != std::string::npos);
  std::string flipped = good;
  flipped[idat + 40] = static_cast<char>(flipped[idat + 40] ^ 0x5a);
  CHECK_THAT(DecodeError(flipped), Catch::Contains("CRC mismatch in chunk 'IDAT'"));
  // Garbage deflate data behind a valid CRC: stb's reason is reported.
  std::string rows(3 * 4 * 4, '\x10');
  std::string bad = MakePng(4, 4, 8, 2, rows);
  const size_t d = bad.find("IDAT") + 4;
  const uint32_t len = (uint8_t(bad[d - 8]) << 24) | (uint8_t(bad[d - 7]) << 16) |
                       (uint8_t(bad[d - 6]) << 8) | uint8_t(bad[d - 5]);
  for (size_t i = 2; i < len; ++i) bad[d + i] = '\xff';  // BTYPE 3: invalid
  const std::string td = bad.substr(d - 4, len + 4);
  bad.replace(d + len, 4, Be32(ecgr1::Crc32(reinterpret_cast<const uint8_t*>(td.data()),
                                             td.size())));
  CHECK_THAT(DecodeError(bad), Catch::StartsWith("t.png: corrupt PNG: "));
  // A header-only file and an empty file.
  CHECK_THAT(DecodeError(good.substr(0, 8)), Catch::Contains("IEND"));
  CHECK_THAT(DecodeError(""), Catch::Contains("empty file"));
  // A corrupt JPEG: the start marker and then nonsense.
  CHECK_THAT(DecodeError(std::string("\xff\xd8\xff\xe0", 4) + std::string(64, '\x01')),
             Catch::StartsWith("t.png: corrupt"));
  // A JPEG Huffman table with more than 256 codes (stb 2.27 would overflow its
  // tables): refused before stb sees it.
  {
    std::string dht = std::string(1, '\0') + std::string(16, '\x14') + std::string(320, '\x01');
    const size_t len = dht.size() + 2;
    const std::string jpg = std::string("\xff\xd8\xff\xc4", 4) + char(len >> 8) +
                            char(len & 0xff) + dht + std::string("\xff\xd9", 2);
    CHECK_THAT(DecodeError(jpg), Catch::Contains("corrupt JPEG: Huffman table at byte 6 has 320 "
                                                 "codes (at most 256)"));
  }
  // Missing file through the path API: kBadInput naming the file.
  try {
    LoadImageRgb("/nonexistent/ecg.png");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kBadInput);
    CHECK_THAT(std::string(e.what()), Catch::StartsWith("/nonexistent/ecg.png: "));
  }
}

TEST_CASE("GIF, WebP, TIFF and unknown bytes are refused as unsupported", "[image]") {
  CHECK(DecodeError(std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00", 13) + std::string(40, '\0')) ==
        "t.png: unsupported image format GIF (use PNG, JPEG or BMP)");
  CHECK_THAT(DecodeError(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)),
             Catch::Contains("unsupported image format WebP"));
  CHECK_THAT(DecodeError(std::string("II*\0\x08\0\0\0", 8)),
             Catch::Contains("unsupported image format TIFF"));
  CHECK_THAT(DecodeError("8BPS" + std::string(30, '\0')), Catch::Contains("format PSD"));
  CHECK_THAT(DecodeError("#?RADIANCE\n"), Catch::Contains("format HDR"));
  CHECK_THAT(DecodeError("P6\n2 2\n255\n" + std::string(12, 'a')), Catch::Contains("format PNM"));
  CHECK_THAT(DecodeError("hello, world"), Catch::Contains("not a recognised image format"));
}

// ---- colour types, as Pillow 9.4's convert("RGB") --------------------------------------

TEST_CASE("grey, grey+alpha, RGBA, palette and 16-bit PNGs load as Pillow would", "[image]") {
  using V = std::vector<uint8_t>;
  // 8-bit grey (stb's encoder): replicated.
  CHECK(Decode(StbPng(3, 1, 1, {0, 77, 255})).rgb == V{0, 0, 0, 77, 77, 77, 255, 255, 255});
  // Grey + alpha: alpha dropped, no compositing.
  CHECK(Decode(StbPng(2, 1, 2, {40, 0, 200, 128})).rgb == V{40, 40, 40, 200, 200, 200});
  // RGBA: alpha dropped, a fully transparent pixel keeps its colour.
  CHECK(Decode(StbPng(2, 1, 4, {10, 20, 30, 0, 200, 100, 50, 255})).rgb ==
        V{10, 20, 30, 200, 100, 50});
  // RGB stays.
  CHECK(Decode(StbPng(1, 1, 3, {1, 2, 3})).rgb == V{1, 2, 3});
  // Palette (8-bit indices) with a tRNS entry: colours from the palette, alpha dropped.
  {
    const std::string plte = PngChunk("PLTE", std::string("\x0a\x14\x1e\xc8\x64\x32\xff\x00\x80", 9));
    const std::string trns = PngChunk("tRNS", std::string("\x00\x80", 2));
    CHECK(Decode(MakePng(3, 1, 8, 3, std::string("\x02\x00\x01", 3), plte + trns)).rgb ==
          V{255, 0, 128, 10, 20, 30, 200, 100, 50});
    // 2-bit indices, 4 pixels in one byte: 0,1,2,1.
    CHECK(Decode(MakePng(4, 1, 2, 3, std::string("\x19", 1), plte)).rgb ==
          V{10, 20, 30, 200, 100, 50, 255, 0, 128, 200, 100, 50});
  }
  // 1-bit grey: 0 / 255.  0b10100000 -> 1,0,1.
  CHECK(Decode(MakePng(3, 1, 1, 0, std::string("\xa0", 1))).rgb ==
        V{255, 255, 255, 0, 0, 0, 255, 255, 255});
  // 16-bit grey: Pillow's mode "I" clipped to 255 by convert("RGB").
  CHECK(Decode(MakePng(4, 1, 16, 0, std::string("\x00\x64\x01\x2c\xff\xff\x00\xff", 8))).rgb ==
        V{100, 100, 100, 255, 255, 255, 255, 255, 255, 255, 255, 255});
  // 16-bit RGB and RGBA: the high byte of each sample.
  CHECK(Decode(MakePng(1, 1, 16, 2, std::string("\x12\x34\xab\xcd\x00\xff", 6))).rgb ==
        V{0x12, 0xab, 0x00});
  CHECK(Decode(MakePng(1, 1, 16, 6, std::string("\x12\x34\xab\xcd\x00\xff\x00\x00", 8))).rgb ==
        V{0x12, 0xab, 0x00});
  // 16-bit grey + alpha: high byte, alpha dropped.
  CHECK(Decode(MakePng(1, 1, 16, 4, std::string("\x80\x01\x00\x00", 4))).rgb ==
        V{0x80, 0x80, 0x80});
}

TEST_CASE("BMP decodes exactly, JPEG closely", "[image]") {
  const int w = 37, h = 23;
  std::vector<uint8_t> px(size_t(w) * h * 3);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>((i * 7) % 200 + 20);
  std::string bmp;
  REQUIRE(stbi_write_bmp_to_func(AppendBytes, &bmp, w, h, 3, px.data()));
  const RgbImage b = Decode(bmp);
  CHECK(b.width == w);
  CHECK(b.rgb == px);

  // A smooth picture so that JPEG at quality 95 stays close.
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &px[(size_t(y) * w + x) * 3];
      p[0] = static_cast<uint8_t>(100 + 3 * x);
      p[1] = static_cast<uint8_t>(60 + 4 * y);
      p[2] = 128;
    }
  }
  std::string jpg;
  REQUIRE(stbi_write_jpg_to_func(AppendBytes, &jpg, w, h, 3, px.data(), 95));
  const RgbImage j = Decode(jpg);
  REQUIRE(j.width == w);
  REQUIRE(j.height == h);
  double err = 0;
  for (size_t i = 0; i < px.size(); ++i) err += std::abs(int(j.rgb[i]) - int(px[i]));
  CHECK(err / px.size() < 3.0);
}
