// tensor.h — a non-owning view of a tensor's bytes (usually inside an mmap).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/dtype.h"

namespace ecgr1 {

struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<uint64_t> shape;  // outermost first (PyTorch order)
  const uint8_t* data = nullptr;
  uint64_t nbytes = 0;

  uint64_t numel() const {
    uint64_t n = 1;
    for (uint64_t d : shape) n *= d;  // validated by the reader: cannot overflow
    return n;
  }
  uint64_t dim(size_t i) const { return i < shape.size() ? shape[i] : 1; }
  template <typename T>
  const T* as() const { return reinterpret_cast<const T*>(data); }
};

// "[151672, 4096]"
std::string ShapeString(const std::vector<uint64_t>& shape);

}  // namespace ecgr1
