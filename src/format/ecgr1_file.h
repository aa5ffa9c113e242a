// ecgr1_file.h — our single-file model format (spec: weights/FORMAT.md).
//
// Layout: fixed header (magic, version), a JSON metadata block (model config,
// tokenizer, generation defaults, provenance), a binary tensor directory, then
// tensor data, each tensor aligned to kEcgr1Alignment bytes for mmap and SIMD
// loads. The reader maps the file, trusts nothing: every count is bounded by the
// bytes that remain before anything is allocated, every offset/size is checked
// to lie inside the data section without overlap, names are unique, dtypes
// known, shape x dtype == size with overflow-checked products. Errors throw
// ecgr1::Error(kBadModel) naming the file and the problem.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/mapped_file.h"
#include "base/tensor.h"

namespace ecgr1 {

constexpr uint64_t kEcgr1Alignment = 64;

// One tensor to write: its description and a function that fills `dst`
// (exactly nbytes) with its data. Called once, in order, so a converter can
// stream a 17 GB checkpoint without holding it in memory.
struct Ecgr1TensorSpec {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<uint64_t> shape;
  std::function<void(uint8_t* dst, uint64_t nbytes)> fill;
};

// Progress callback: (bytes written so far, total bytes).
using ProgressFn = std::function<void(uint64_t, uint64_t)>;

// Writes an .ecgr1 file atomically (nothing is left at `path` on failure).
void WriteEcgr1(const std::string& path, const nlohmann::json& metadata,
                const std::vector<Ecgr1TensorSpec>& tensors, const ProgressFn& progress = nullptr);

// The same file, written in place: the file is grown to its full size and
// memory-mapped, and each fill() writes straight into the mapping (zeros
// before it runs; no buffer, no copy). For files in memory (tmpfs), where it
// is several times faster; the whole file's room is reserved first.
void WriteEcgr1Mapped(const std::string& path, const nlohmann::json& metadata,
                      const std::vector<Ecgr1TensorSpec>& tensors, const ProgressFn& progress = nullptr);

class Ecgr1File {
 public:
  explicit Ecgr1File(const std::string& path);
  const std::string& path() const { return file_.path(); }
  uint32_t version_major() const { return major_; }
  uint32_t version_minor() const { return minor_; }
  const nlohmann::json& metadata() const { return metadata_; }
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* Find(const std::string& name) const;  // nullptr if absent
  uint64_t file_size() const { return file_.size(); }
  // Asks the kernel to start reading all tensor data (madvise WILLNEED).
  void Prefetch() const;

 private:
  MappedFile file_;
  uint32_t major_ = 0, minor_ = 0;
  uint64_t data_offset_ = 0, data_size_ = 0;  // the data section, for Prefetch()
  nlohmann::json metadata_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> index_;
};

}  // namespace ecgr1
