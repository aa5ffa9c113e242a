// matlab_v4.h — the 20-byte header of a MATLAB v4 (Level 4) .mat matrix.
//
// PhysioNet/CinC challenge records store their samples as one MATLAB v4 int16
// matrix "val" of nsig rows x nsamples columns; column-major order makes that
// exactly WFDB format 16 after the header (20 bytes + the name, "val\0" -> 24),
// which is what the matching .hea says ("16+24"). The WFDB reader uses this to
// check the .hea against the file and to find the data when the offset is
// missing. Only the first matrix of a file is looked at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ecgr1 {

struct MatV4Matrix {
  uint32_t type = 0;   // MOPT: M*1000 + O*100 + P*10 + T
  uint32_t mrows = 0;  // rows (signals)
  uint32_t ncols = 0;  // columns (samples)
  bool complex = false;
  std::string name;
  uint64_t data_offset = 0;  // bytes from the file start to the first element
  int element_bytes = 0;     // 8, 4, 4, 2, 2, 1 for P = 0..5
  bool little_endian = true; // M == 0
  int precision = 0;         // P: 0 double, 1 float, 2 int32, 3 int16, 4 uint16, 5 uint8
  bool IsInt16Le() const { return little_endian && precision == 3 && !complex; }
};

// Reads the header of the first matrix in [data, data+size). Returns false if
// the bytes are not a plausible little- or big-endian MATLAB v4 numeric full
// matrix header (never reads outside the span).
bool ParseMatV4Header(const uint8_t* data, size_t size, MatV4Matrix* out);

}  // namespace ecgr1
