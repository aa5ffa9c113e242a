// glyphs.h — a 5 x 7 pixel font for the labels of the ECG printout (lead
// names, paper speed and gain): digits, the letters of lead names and units,
// and a few signs. Drawn for this project.
#pragma once

#include <cstdint>

namespace ecgr1 {

constexpr int kGlyphWidth = 5, kGlyphHeight = 7;

// Row bits of character c (bit 4 = leftmost column), or nullptr when the font
// lacks it (drawn as a space).
const uint8_t* Glyph(char c);

}  // namespace ecgr1
