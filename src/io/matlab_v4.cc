#include "io/matlab_v4.h"

namespace ecgr1 {

namespace {

uint32_t Le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint32_t Be32(const uint8_t* p) {
  return uint32_t{p[3]} | uint32_t{p[2]} << 8 | uint32_t{p[1]} << 16 | uint32_t{p[0]} << 24;
}

}  // namespace

bool ParseMatV4Header(const uint8_t* data, size_t size, MatV4Matrix* out) {
  if (data == nullptr || size < 20) return false;
  // The type word tells the byte order: M (thousands digit) is 0 for
  // little-endian IEEE, 1 for big-endian. Try little-endian first.
  for (const bool le : {true, false}) {
    const auto rd = [&](size_t off) { return le ? Le32(data + off) : Be32(data + off); };
    const uint32_t type = rd(0);
    if (type > 9999) continue;
    const uint32_t m = type / 1000, o = (type / 100) % 10, p = (type / 10) % 10, t = type % 10;
    if (m != (le ? 0u : 1u) || o != 0 || p > 5 || t != 0) continue;
    const uint32_t imagf = rd(12), namlen = rd(16);
    if (imagf > 1 || namlen == 0 || namlen > 64 || size - 20 < namlen) continue;
    MatV4Matrix r;
    r.type = type;
    r.mrows = rd(4);
    r.ncols = rd(8);
    r.complex = imagf == 1;
    // The name is NUL-terminated inside namlen bytes.
    const char* nm = reinterpret_cast<const char*>(data + 20);
    size_t n = 0;
    while (n < namlen && nm[n] != '\0') ++n;
    if (n == namlen) continue;  // no terminator: not a v4 header
    r.name.assign(nm, n);
    r.data_offset = 20 + uint64_t{namlen};
    static const int kBytes[6] = {8, 4, 4, 2, 2, 1};
    r.element_bytes = kBytes[p];
    r.little_endian = le;
    r.precision = static_cast<int>(p);
    *out = r;
    return true;
  }
  return false;
}

}  // namespace ecgr1
