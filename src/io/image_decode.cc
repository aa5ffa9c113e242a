// image_decode.cc — our own compilation unit of stb_image (PNG, JPEG, BMP only)
// and the checks around it. See image.h for the contract.
//
// Why our own unit: Debian's prebuilt libstb enables every decoder (GIF, PSD,
// PIC, ... with known CVEs). Here only three decoders are compiled, there is no
// stdio, and the header is read (stb's *_info of the format) and the size limits are
// applied before a single pixel is decoded. The header in use is Debian's
// stb_image 2.27; the limits bound what a hostile file can make it allocate.
#include "io/image.h"

#include <cstring>
#include <memory>

#include "base/error.h"
#include "base/mapped_file.h"
#include "io/zip_reader.h"  // Crc32

// ---- stb_image, configured ----------------------------------------------------
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
// No STBI_FAILURE_USERMSG: its "user" strings are one per format ("Corrupt
// PNG"), while the default ones name the problem ("bad huffman code", "bad
// dist", "not enough pixels"); ours already say "corrupt PNG".
#define STBI_MAX_DIMENSIONS 16384  // stb's own cap; ours (kMaxImageSide) is lower
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#pragma GCC diagnostic ignored "-Wtype-limits"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wuseless-cast"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop
// -------------------------------------------------------------------------------

namespace ecgr1 {
namespace {

bool StartsWith(const uint8_t* d, size_t n, const char* magic, size_t m, size_t at = 0) {
  return n >= at + m && std::memcmp(d + at, magic, m) == 0;
}

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

std::string ChunkName(const uint8_t* p) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>(p[i]);
    s += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return s;
}

// Walks the PNG chunk list up to IEND: every chunk must lie inside the file and
// its CRC-32 (over type + data) must match. stb skips CRCs, so without this a
// flipped byte may decode silently into wrong pixels.
void CheckPngChunks(const uint8_t* d, size_t n, const std::string& what) {
  size_t pos = 8;  // after the signature
  for (;;) {
    if (n - pos < 12) {
      Fail(ExitCode::kBadInput, "%s: corrupt PNG: file ends at byte %zu without an IEND chunk "
           "(truncated?)", what.c_str(), n);
    }
    const uint32_t len = Be32(d + pos);
    const std::string type = ChunkName(d + pos + 4);
    if (len > 0x7fffffffu) {
      Fail(ExitCode::kBadInput, "%s: corrupt PNG: chunk '%s' at byte %zu has length %u",
           what.c_str(), type.c_str(), pos, len);
    }
    if (len > n - pos - 12) {
      Fail(ExitCode::kBadInput, "%s: corrupt PNG: chunk '%s' at byte %zu needs %zu bytes, only "
           "%zu remain (truncated file)", what.c_str(), type.c_str(), pos, size_t{len} + 12,
           n - pos);
    }
    const uint32_t want = Be32(d + pos + 8 + len);
    const uint32_t got = Crc32(d + pos + 4, size_t{len} + 4);
    if (want != got) {
      Fail(ExitCode::kBadInput, "%s: corrupt PNG: CRC mismatch in chunk '%s' at byte %zu "
           "(stored %08x, computed %08x)", what.c_str(), type.c_str(), pos, want, got);
    }
    pos += size_t{len} + 12;
    if (type == "IEND") return;
  }
}

// stb_image 2.27 builds a JPEG Huffman table from a DHT segment without
// checking that the 16 code-length counts add up to at most 256 symbols, and
// then writes past its 257-entry size[] and 256-entry values[] arrays (fixed in
// later stb versions; found here by fuzzing with UBSan). This walks the marker
// segments the way stb reaches them and refuses such a table first.
//   - before and between segments stb skips any bytes up to the next 0xFF (in
//     the header; later it fails on them) and then any 0xFF fill bytes;
//   - after SOS comes entropy-coded data up to the first 0xFF followed by a
//     byte that is not 0x00, 0xFF or a restart marker (stb's bit reader stops
//     there too, or fails);
//   - stb reads a DHT segment table by table while its length lasts, reading
//     zeros past the end of the file.
void CheckJpegSegments(const uint8_t* d, size_t n, const std::string& what) {
  auto at = [&](size_t i) -> uint32_t { return i < n ? d[i] : 0; };
  size_t pos = 2;  // after SOI
  for (;;) {
    while (pos < n && d[pos] != 0xff) ++pos;   // junk before a marker
    while (pos < n && d[pos] == 0xff) ++pos;   // fill bytes
    if (pos >= n) return;
    const uint8_t m = d[pos++];
    if (m == 0xd8 || m == 0xd9 || m == 0x01) return;  // SOI again (stb fails), EOI, TEM
    if (m >= 0xd0 && m <= 0xd7) continue;              // RSTn: no length
    const size_t len = (at(pos) << 8) | at(pos + 1);
    if (m == 0xc4) {  // DHT
      int64_t rem = static_cast<int64_t>(len) - 2;
      size_t i = pos + 2;
      while (rem > 0) {
        uint32_t symbols = 0;
        for (size_t c = 1; c <= 16; ++c) symbols += at(i + c);
        if (symbols > 256) {
          Fail(ExitCode::kBadInput, "%s: corrupt JPEG: Huffman table at byte %zu has %u codes "
               "(at most 256)", what.c_str(), i, symbols);
        }
        i += 17 + symbols;
        rem -= 17 + static_cast<int64_t>(symbols);
      }
    }
    pos += len;
    if (m == 0xda) {  // SOS: skip the entropy-coded data
      while (pos + 1 < n && !(d[pos] == 0xff && d[pos + 1] != 0x00 && d[pos + 1] != 0xff &&
                              !(d[pos + 1] >= 0xd0 && d[pos + 1] <= 0xd7))) {
        ++pos;
      }
    }
  }
}

// stb keeps its last failure reason in a (thread-local) global and some paths
// fail without setting one, so it is cleared before every call: a stale
// reason from an earlier file must not be reported for this one.
void ClearStbReason() { stbi__g_failure_reason = nullptr; }
const char* StbReason() {
  const char* r = stbi_failure_reason();
  return r != nullptr ? r : "undecodable data";
}

// Header only, through the one decoder of the detected format (stb's public
// stbi_info tries every decoder in turn and reports the last one's reason).
bool StbInfo(const std::string& format, const uint8_t* data, int len, int* x, int* y, int* comp) {
  stbi__context s;
  stbi__start_mem(&s, data, len);
  if (format == "PNG") return stbi__png_info(&s, x, y, comp) != 0;
  if (format == "JPEG") return stbi__jpeg_info(&s, x, y, comp) != 0;
  return stbi__bmp_info(&s, x, y, comp) != 0;
}

struct StbFree {
  void operator()(void* p) const { stbi_image_free(p); }
};

}  // namespace

std::string DetectImageFormat(const uint8_t* d, size_t n) {
  if (StartsWith(d, n, "\x89PNG\r\n\x1a\n", 8)) return "PNG";
  if (StartsWith(d, n, "\xff\xd8\xff", 3)) return "JPEG";
  if (StartsWith(d, n, "BM", 2)) return "BMP";
  if (StartsWith(d, n, "GIF87a", 6) || StartsWith(d, n, "GIF89a", 6)) return "GIF";
  if (StartsWith(d, n, "RIFF", 4) && StartsWith(d, n, "WEBP", 4, 8)) return "WebP";
  if (StartsWith(d, n, "II*\0", 4) || StartsWith(d, n, "MM\0*", 4)) return "TIFF";
  if (StartsWith(d, n, "8BPS", 4)) return "PSD";
  if (StartsWith(d, n, "#?RADIANCE", 10) || StartsWith(d, n, "#?RGBE", 6)) return "HDR";
  if (StartsWith(d, n, "\x53\x80\xf6\x34", 4)) return "PIC";
  if (StartsWith(d, n, "qoif", 4)) return "QOI";
  if (StartsWith(d, n, "\0\0\1\0", 4)) return "ICO";
  if (StartsWith(d, n, "\0\0\0\x0cjP  ", 8) || StartsWith(d, n, "\xff\x4f\xff\x51", 4)) {
    return "JPEG 2000";
  }
  if (StartsWith(d, n, "ftypavif", 8, 4) || StartsWith(d, n, "ftypavis", 8, 4)) return "AVIF";
  if (StartsWith(d, n, "ftyphei", 7, 4) || StartsWith(d, n, "ftypmif1", 8, 4) ||
      StartsWith(d, n, "ftyphevc", 8, 4)) {
    return "HEIF";
  }
  if (StartsWith(d, n, "%PDF", 4)) return "PDF";
  if (n >= 3 && d[0] == 'P' && d[1] >= '1' && d[1] <= '7' &&
      (d[2] == '\n' || d[2] == '\r' || d[2] == ' ' || d[2] == '\t')) {
    return "PNM";
  }
  return "";
}

RgbImage DecodeImageRgb(const uint8_t* data, size_t size, const std::string& what) {
  const char* w = what.c_str();
  if (size == 0) Fail(ExitCode::kBadInput, "%s: empty file", w);
  if (size > kMaxImageFileBytes) {
    Fail(ExitCode::kBadInput, "%s: image file is %zu bytes, larger than the %zu MB limit", w,
         size, kMaxImageFileBytes >> 20);
  }
  const std::string format = DetectImageFormat(data, size);
  if (format.empty()) {
    Fail(ExitCode::kBadInput, "%s: not a recognised image format (use PNG, JPEG or BMP)", w);
  }
  if (format != "PNG" && format != "JPEG" && format != "BMP") {
    Fail(ExitCode::kBadInput, "%s: unsupported image format %s (use PNG, JPEG or BMP)", w,
         format.c_str());
  }
  if (format == "PNG") CheckPngChunks(data, size, what);
  if (format == "JPEG") CheckJpegSegments(data, size, what);

  // Header first: refuse big images before decoding anything.
  const int len = static_cast<int>(size);  // <= 256 MB
  int width = 0, height = 0, comp = 0;
  ClearStbReason();
  if (!StbInfo(format, data, len, &width, &height, &comp)) {
    Fail(ExitCode::kBadInput, "%s: corrupt or unsupported %s header: %s", w, format.c_str(),
         StbReason());
  }
  if (width <= 0 || height <= 0) {
    Fail(ExitCode::kBadInput, "%s: image is %d x %d pixels", w, width, height);
  }
  if (width > kMaxImageSide || height > kMaxImageSide ||
      int64_t{width} * height > kMaxImagePixels) {
    Fail(ExitCode::kBadInput, "%s: image is %d x %d, larger than the %d x %d / %d-megapixel "
         "limit", w, width, height, kMaxImageSide, kMaxImageSide,
         static_cast<int>(kMaxImagePixels / 1000000));
  }

  // One decoder, the detected format's, called directly (stb's public loaders
  // try each decoder in turn, which can leave another format's failure reason).
  // req_comp = 3: stb replicates grey, drops alpha (grey+alpha, RGBA, palette or
  // grey with tRNS) without compositing and expands palettes. A 16-bit PNG comes
  // back with 16 bits per sample (ri.bits_per_channel); see below.
  // A 16-bit greyscale PNG (IHDR colour type 0) is asked for one channel: Pillow
  // 9.4 opens it as mode "I" and convert("RGB") clips each value to 0..255.
  const bool grey16 = format == "PNG" && size > 25 && data[24] == 16 && data[25] == 0;
  const int req = grey16 ? 1 : 3;
  stbi__context ctx;
  stbi__start_mem(&ctx, data, len);
  stbi__result_info ri;
  std::memset(&ri, 0, sizeof(ri));
  ri.bits_per_channel = 8;
  ri.channel_order = STBI_ORDER_RGB;
  int x = 0, y = 0, n = 0;
  ClearStbReason();
  void* raw = format == "PNG"    ? stbi__png_load(&ctx, &x, &y, &n, req, &ri)
              : format == "JPEG" ? stbi__jpeg_load(&ctx, &x, &y, &n, req, &ri)
                                 : stbi__bmp_load(&ctx, &x, &y, &n, req, &ri);
  std::unique_ptr<void, StbFree> px(raw);
  if (!px) Fail(ExitCode::kBadInput, "%s: corrupt %s: %s", w, format.c_str(), StbReason());
  if (x != width || y != height) {
    Fail(ExitCode::kBadInput, "%s: decoded size %d x %d differs from the header's %d x %d", w, x,
         y, width, height);
  }
  if (ri.bits_per_channel != 8 && ri.bits_per_channel != 16) {
    Fail(ExitCode::kInternal, "%s: stb_image returned %d bits per channel", w,
         ri.bits_per_channel);
  }
  RgbImage img;
  img.width = x;
  img.height = y;
  const size_t count = size_t(x) * size_t(y);
  img.rgb.resize(count * 3);
  if (grey16) {
    if (ri.bits_per_channel != 16) {
      Fail(ExitCode::kInternal, "%s: stb_image decoded a 16-bit PNG to 8 bits", w);
    }
    const auto* g = static_cast<const uint16_t*>(px.get());  // bits_per_channel == 16
    for (size_t i = 0; i < count; ++i) {
      const uint8_t v = g[i] > 255 ? 255 : static_cast<uint8_t>(g[i]);
      img.rgb[3 * i] = img.rgb[3 * i + 1] = img.rgb[3 * i + 2] = v;
    }
  } else if (ri.bits_per_channel == 16) {
    // Pillow's "RGB;16B" / "RGBA;16B" / "LA;16B" unpackers keep the high byte.
    const auto* s16 = static_cast<const uint16_t*>(px.get());
    for (size_t i = 0; i < count * 3; ++i) img.rgb[i] = static_cast<uint8_t>(s16[i] >> 8);
  } else {
    std::memcpy(img.rgb.data(), px.get(), count * 3);
  }
  return img;
}

RgbImage LoadImageRgb(const std::string& path) {
  const std::string bytes = ReadSmallFile(path, ExitCode::kBadInput, kMaxImageFileBytes);
  return DecodeImageRgb(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
}

}  // namespace ecgr1
