// torch_pt.h — reader for PyTorch zip checkpoints (torch.save, PyTorch >= 1.6)
// that never executes anything from the file.
//
// Layout: a STORED zip (io/zip_reader.h) whose entries all sit under one
// top-level folder <root>/: <root>/data.pkl (the pickled object) and
// <root>/data/<key> (the raw little-endian bytes of storage <key>).
// TorchScript archives (<root>/code/..., <root>/constants.pkl) and the legacy
// non-zip format are refused with a message saying so.
//
// The pickle is run by a restricted VM that knows only the opcodes a tensor
// state_dict needs (protocols 2-5: PROTO FRAME STOP MARK EMPTY_DICT/LIST/TUPLE
// TUPLE TUPLE1-3 DICT SETITEM(S) APPEND(S) BINPUT LONG_BINPUT MEMOIZE BINGET
// LONG_BINGET BININT BININT1 BININT2 LONG1 BINFLOAT NONE NEWTRUE NEWFALSE
// SHORT_BINUNICODE BINUNICODE BINUNICODE8 SHORT_BINBYTES BINBYTES BINBYTES8
// GLOBAL STACK_GLOBAL REDUCE BINPERSID BUILD) and these globals:
//   - callables it emulates (never calls): collections.OrderedDict (with no
//     arguments), torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter;
//   - storage types in persistent ids: torch.{Double,Float,Half,BFloat16,Long,
//     Int,Short,Char,Byte,Bool}Storage;
//   - inert placeholders: numpy.core.multiarray.scalar,
//     numpy._core.multiarray.scalar, numpy.dtype, _codecs.encode. The real
//     ECG-CoCa checkpoint stores numpy float64 learning rates in its optimizer
//     state (spec/checkpoint.md §7), pickled as scalar(dtype(...), encode(...));
//     REDUCE on these yields an opaque value that is never called or looked
//     into, and BUILD on it is ignored. An opaque value where a tensor is needed
//     is an error.
// Any other opcode or global (os.system, builtins.eval, numpy.load, ...) is
// refused at once: "<file>: pickle references forbidden global os.system".
//
// Bounds: data.pkl at most 256 MB; at most kMaxPickleObjects objects and memo
// entries (memo indices must be assigned in order, as pickle does); at most
// kMaxPickleMarks nested MARKs; string/bytes lengths checked against the bytes
// left before anything is allocated; LONG1 at most 8 bytes; tensors at most 64
// dims with overflow-checked products. No recursion over pickled objects.
//
// Tensors (_rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
// hooks[, metadata])): the storage's dtype comes from its storage type; the
// persistent id's element count must match the size of <root>/data/<key>
// exactly; strides must be contiguous (row-major; size-1 dims are free);
// offset + numel must lie inside the storage; hooks must be empty. The data
// of each kept tensor is CRC-checked and then used in place from the mmap.
//
// Errors throw ecgr1::Error(kBadModel), one line naming the file.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/mapped_file.h"
#include "base/tensor.h"
#include "io/zip_reader.h"

namespace ecgr1 {

constexpr size_t kMaxPickleObjects = 1u << 20;
constexpr size_t kMaxPickleMarks = 1000;

class TorchCheckpoint {
 public:
  // Reads `path`. The state dict is the top-level dict's "state_dict" entry,
  // or the top-level dict itself when all its values are tensors. Only
  // entries whose names start with `keep_prefix` are kept (and only their
  // storages read and CRC-checked); a kept entry that is not a tensor is an
  // error. "" keeps every tensor (non-tensor values are then skipped).
  explicit TorchCheckpoint(const std::string& path, const std::string& keep_prefix = "");
  ~TorchCheckpoint();

  const std::string& path() const { return file_.path(); }
  // The kept tensors, in the state dict's order.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* Find(const std::string& name) const;  // nullptr if absent
  // Number of entries of the state dict (kept or not).
  size_t state_dict_size() const { return state_dict_size_; }

 private:
  MappedFile file_;
  std::unique_ptr<ZipArchive> zip_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> index_;
  size_t state_dict_size_ = 0;
};

}  // namespace ecgr1
