// safetensors.h — reader for Hugging Face safetensors files and sharded checkpoints.
//
// Validates like the safetensors reference implementation: 8-byte LE header
// length (at most 100 MB, checked before allocating), UTF-8 JSON object,
// known dtypes, unique names, data offsets starting at 0 and contiguous with
// no gap, overlap or trailing bytes, shape x dtype size == byte range with
// overflow-checked products. Every failure throws ecgr1::Error (kBadModel)
// with one line naming the file and the tensor.
//
// Tensor data is used in place from the mmap (TensorView::data points into it).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/mapped_file.h"
#include "base/tensor.h"
#include "io/json.h"

namespace ecgr1 {


class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);
  const std::string& path() const { return file_.path(); }
  // Sorted by data offset (the order of the bytes in the file).
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* Find(const std::string& name) const;  // nullptr if absent
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  MappedFile file_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// A checkpoint folder: either `model.safetensors`, or
// `model.safetensors.index.json` + the shards it names. The index must name no
// missing shard, no tensor twice, no path outside the folder, and every tensor
// it maps must be in the shard it names (and vice versa).
class SafetensorsCheckpoint {
 public:
  explicit SafetensorsCheckpoint(const std::string& dir);
  const TensorView* Find(const std::string& name) const;  // nullptr if absent
  std::vector<std::string> Names() const;                 // sorted
  size_t size() const { return where_.size(); }
  // Name of the shard file holding `name` (for messages).
  std::string ShardOf(const std::string& name) const;

 private:
  std::vector<std::unique_ptr<SafetensorsFile>> shards_;
  std::vector<std::string> shard_names_;  // file name of shards_[i]
  // tensor name -> (index into shards_, its view inside that shard)
  std::map<std::string, std::pair<size_t, const TensorView*>> where_;
};

}  // namespace ecgr1
