// torch_pt.cc — see torch_pt.h. The pickle opcodes are those of Python's
// Lib/pickle.py (protocols 2-5); the checkpoint layout is torch.save's zip
// format as described in ../shared/spec/checkpoint.md §7.
#include "io/torch_pt.h"

#include <cstdarg>
#include <cstring>
#include <deque>
#include <set>

#include "base/error.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "torch.save storages are read in place as little-endian");

namespace ecgr1 {
namespace {

constexpr uint64_t kMaxPickleBytes = 256u << 20;
constexpr size_t kMaxGlobalLine = 256;  // bytes of a GLOBAL module or name line
constexpr size_t kMaxDims = 64;
constexpr size_t kMaxStorageKey = 64;

enum class Kind : uint8_t {
  kNone, kBool, kInt, kFloat, kStr, kBytes, kTuple, kList, kDict, kGlobal, kOpaque, kStorage, kTensor,
};

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kNone: return "None";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kStr: return "str";
    case Kind::kBytes: return "bytes";
    case Kind::kTuple: return "tuple";
    case Kind::kList: return "list";
    case Kind::kDict: return "dict";
    case Kind::kGlobal: return "global";
    case Kind::kOpaque: return "opaque (numpy) value";
    case Kind::kStorage: return "storage";
    case Kind::kTensor: return "tensor";
  }
  return "?";
}

// What a whitelisted global is to the VM. Nothing is ever called: the VM
// emulates the few callables a state_dict uses.
enum class Fn : uint8_t { kOrderedDict, kRebuildTensorV2, kRebuildParameter, kStorageType, kInert };

struct KnownGlobal {
  const char* module;
  const char* name;
  Fn fn;
  DType dtype;  // for kStorageType
};

const KnownGlobal kKnownGlobals[] = {
    {"collections", "OrderedDict", Fn::kOrderedDict, DType::kF32},
    {"torch._utils", "_rebuild_tensor_v2", Fn::kRebuildTensorV2, DType::kF32},
    {"torch._utils", "_rebuild_parameter", Fn::kRebuildParameter, DType::kF32},
    {"torch", "DoubleStorage", Fn::kStorageType, DType::kF64},
    {"torch", "FloatStorage", Fn::kStorageType, DType::kF32},
    {"torch", "HalfStorage", Fn::kStorageType, DType::kF16},
    {"torch", "BFloat16Storage", Fn::kStorageType, DType::kBF16},
    {"torch", "LongStorage", Fn::kStorageType, DType::kI64},
    {"torch", "IntStorage", Fn::kStorageType, DType::kI32},
    {"torch", "ShortStorage", Fn::kStorageType, DType::kI16},
    {"torch", "CharStorage", Fn::kStorageType, DType::kI8},
    {"torch", "ByteStorage", Fn::kStorageType, DType::kU8},
    {"torch", "BoolStorage", Fn::kStorageType, DType::kBool},
    // Inert: numpy scalars in optimizer state (see torch_pt.h).
    {"numpy.core.multiarray", "scalar", Fn::kInert, DType::kF32},
    {"numpy._core.multiarray", "scalar", Fn::kInert, DType::kF32},
    {"numpy", "dtype", Fn::kInert, DType::kF32},
    {"_codecs", "encode", Fn::kInert, DType::kF32},
};

// One pickled value. Objects live in the VM's arena and refer to each other
// by pointer, so shared and even cyclic references (via the memo) are fine and
// nothing recurses over them.
struct Obj {
  Kind kind = Kind::kNone;
  int64_t i = 0;              // kBool, kInt
  double f = 0;               // kFloat
  std::string s;              // kStr, kBytes; kGlobal "module.name"; kStorage key
  std::vector<Obj*> items;    // kTuple, kList; kDict: key0, value0, key1, value1, ...
  Fn fn = Fn::kInert;         // kGlobal
  DType dtype = DType::kF32;  // kGlobal of a storage type, kStorage, kTensor
  uint64_t numel = 0;         // kStorage: elements
  const ZipEntry* entry = nullptr;  // kStorage: <root>/data/<key>
  const Obj* storage = nullptr;     // kTensor
  uint64_t offset = 0;              // kTensor: in elements
  std::vector<uint64_t> shape;      // kTensor
};

class PickleVm {
 public:
  PickleVm(const uint8_t* data, size_t size, const std::string& path, const std::string& pkl_name,
           const ZipArchive& zip, const std::string& root)
      : data_(data), size_(size), path_(path), pkl_name_(pkl_name), zip_(zip), root_(root) {}

  // Runs the pickle to its STOP and returns the object it built.
  Obj* Run();

 private:
  [[noreturn]] void Bad(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  Obj* New(Kind k);
  void Push(Obj* o);
  size_t Avail() const { return stack_.size() - (marks_.empty() ? 0 : marks_.back()); }
  Obj* Pop();
  Obj* Top();
  std::vector<Obj*> PopN(size_t n);
  std::vector<Obj*> PopMark();
  void Put(uint64_t idx);
  void Get(uint64_t idx);
  std::string Line(ByteReader& r);
  Obj* Global(const std::string& module, const std::string& name);
  Obj* Reduce(Obj* fn, Obj* args);
  Obj* RebuildTensor(const std::vector<Obj*>& a);
  Obj* PersistentLoad(Obj* pid);
  void Build(Obj* target, Obj* state);
  Obj* Text(ByteReader& r, uint64_t n, Kind k);

  const uint8_t* data_;
  size_t size_;
  const std::string& path_;
  const std::string& pkl_name_;
  const ZipArchive& zip_;
  const std::string& root_;
  size_t op_pos_ = 0;
  std::deque<Obj> arena_;
  std::vector<Obj*> stack_;
  std::vector<size_t> marks_;  // stack_ sizes at each open MARK
  std::vector<Obj*> memo_;
  std::map<std::string, Obj*> storages_;  // key -> its storage object
};

void PickleVm::Bad(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  char buf[512];
  std::vsnprintf(buf, sizeof(buf), fmt, args);
  va_end(args);
  Fail(ExitCode::kBadModel, "%s: %s (at byte %zu of %s)", path_.c_str(), buf, op_pos_, pkl_name_.c_str());
}

Obj* PickleVm::New(Kind k) {
  if (arena_.size() >= kMaxPickleObjects) Bad("pickle builds more than %zu objects", kMaxPickleObjects);
  arena_.emplace_back();
  arena_.back().kind = k;
  return &arena_.back();
}

void PickleVm::Push(Obj* o) {
  if (stack_.size() >= kMaxPickleObjects) Bad("pickle stack exceeds %zu values", kMaxPickleObjects);
  stack_.push_back(o);
}

Obj* PickleVm::Pop() {
  if (Avail() == 0) Bad("pickle stack underflow");
  Obj* o = stack_.back();
  stack_.pop_back();
  return o;
}

Obj* PickleVm::Top() {
  if (Avail() == 0) Bad("pickle stack underflow");
  return stack_.back();
}

std::vector<Obj*> PickleVm::PopN(size_t n) {
  if (Avail() < n) Bad("pickle stack underflow");
  std::vector<Obj*> out(stack_.end() - static_cast<ptrdiff_t>(n), stack_.end());
  stack_.resize(stack_.size() - n);
  return out;
}

std::vector<Obj*> PickleVm::PopMark() {
  if (marks_.empty()) Bad("pickle has no MARK to pop to");
  const size_t m = marks_.back();
  marks_.pop_back();
  std::vector<Obj*> out(stack_.begin() + static_cast<ptrdiff_t>(m), stack_.end());
  stack_.resize(m);
  return out;
}

// pickle assigns memo indices 0, 1, 2, ... in order; anything else (a huge
// index in particular) is refused instead of growing a table.
void PickleVm::Put(uint64_t idx) {
  Obj* o = Top();
  if (idx > memo_.size())
    Bad("pickle memo index %llu out of order (the memo holds %zu entries)", static_cast<unsigned long long>(idx),
        memo_.size());
  if (idx == memo_.size()) {
    if (memo_.size() >= kMaxPickleObjects) Bad("pickle memo exceeds %zu entries", kMaxPickleObjects);
    memo_.push_back(o);
  } else {
    memo_[idx] = o;
  }
}

void PickleVm::Get(uint64_t idx) {
  if (idx >= memo_.size())
    Bad("pickle reads memo entry %llu, which was never stored", static_cast<unsigned long long>(idx));
  Push(memo_[idx]);
}

// A newline-terminated GLOBAL argument of at most kMaxGlobalLine bytes.
std::string PickleVm::Line(ByteReader& r) {
  const size_t limit = std::min(r.remaining(), kMaxGlobalLine + 1);
  const uint8_t* start = data_ + r.pos();
  const void* nl = std::memchr(start, '\n', limit);
  if (nl == nullptr) Bad("pickle GLOBAL argument is not a line of at most %zu bytes", kMaxGlobalLine);
  const size_t n = static_cast<size_t>(static_cast<const uint8_t*>(nl) - start);
  std::string s = r.String(n);
  r.U8();  // the newline
  return s;
}

Obj* PickleVm::Text(ByteReader& r, uint64_t n, Kind k) {
  if (n > r.remaining())
    Bad("pickle %s of %llu bytes runs past the end of the pickle (%zu bytes left)", k == Kind::kStr ? "string" : "bytes",
        static_cast<unsigned long long>(n), r.remaining());
  Obj* o = New(k);
  o->s = r.String(static_cast<size_t>(n));
  return o;
}

Obj* PickleVm::Global(const std::string& module, const std::string& name) {
  for (const KnownGlobal& g : kKnownGlobals) {
    if (module == g.module && name == g.name) {
      Obj* o = New(Kind::kGlobal);
      o->s = module + "." + name;
      o->fn = g.fn;
      o->dtype = g.dtype;
      return o;
    }
  }
  Bad("pickle references forbidden global %s.%s; only the globals of a tensor state_dict are allowed",
      PrintableName(module).c_str(), PrintableName(name).c_str());
}

Obj* PickleVm::Reduce(Obj* fn, Obj* args) {
  if (fn->kind != Kind::kGlobal) Bad("pickle REDUCE calls a %s", KindName(fn->kind));
  if (args->kind != Kind::kTuple) Bad("pickle REDUCE arguments of %s are a %s, not a tuple", fn->s.c_str(),
                                      KindName(args->kind));
  const std::vector<Obj*>& a = args->items;
  switch (fn->fn) {
    case Fn::kOrderedDict:
      if (!a.empty()) Bad("pickle calls collections.OrderedDict with %zu arguments (only empty is allowed)", a.size());
      return New(Kind::kDict);
    case Fn::kRebuildTensorV2:
      return RebuildTensor(a);
    case Fn::kRebuildParameter:
      // _rebuild_parameter(data, requires_grad, backward_hooks) -> data.
      if (a.size() != 3 || a[0]->kind != Kind::kTensor || a[1]->kind != Kind::kBool || a[2]->kind != Kind::kDict ||
          !a[2]->items.empty())
        Bad("pickle calls torch._utils._rebuild_parameter with arguments other than (tensor, bool, empty dict)");
      return a[0];
    case Fn::kInert:
      return New(Kind::kOpaque);
    case Fn::kStorageType:
      break;
  }
  Bad("pickle calls %s, which may only appear in a storage reference", fn->s.c_str());
}

// _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
// backward_hooks[, metadata]).
Obj* PickleVm::RebuildTensor(const std::vector<Obj*>& a) {
  if (a.size() != 6 && a.size() != 7)
    Bad("pickle calls torch._utils._rebuild_tensor_v2 with %zu arguments (6 or 7 expected)", a.size());
  if (a[0]->kind != Kind::kStorage) Bad("_rebuild_tensor_v2: argument 1 is a %s, not a storage", KindName(a[0]->kind));
  const Obj& st = *a[0];
  const char* key = st.s.c_str();
  if (a[1]->kind != Kind::kInt || a[1]->i < 0)
    Bad("_rebuild_tensor_v2 on storage '%s': the offset is not a non-negative int", key);
  if (a[2]->kind != Kind::kTuple || a[3]->kind != Kind::kTuple || a[2]->items.size() != a[3]->items.size())
    Bad("_rebuild_tensor_v2 on storage '%s': size and stride are not tuples of equal length", key);
  if (a[2]->items.size() > kMaxDims) Bad("_rebuild_tensor_v2 on storage '%s': more than %zu dims", key, kMaxDims);
  if (a[4]->kind != Kind::kBool) Bad("_rebuild_tensor_v2 on storage '%s': requires_grad is not a bool", key);
  if (a[5]->kind != Kind::kDict || !a[5]->items.empty())
    Bad("_rebuild_tensor_v2 on storage '%s': backward hooks must be an empty dict", key);
  if (a.size() == 7 && a[6]->kind != Kind::kNone && a[6]->kind != Kind::kDict)
    Bad("_rebuild_tensor_v2 on storage '%s': metadata is a %s", key, KindName(a[6]->kind));

  Obj* t = New(Kind::kTensor);
  t->storage = &st;
  t->dtype = st.dtype;
  t->offset = static_cast<uint64_t>(a[1]->i);
  std::vector<uint64_t> stride;
  uint64_t numel = 1;
  for (size_t d = 0; d < a[2]->items.size(); ++d) {
    const Obj* sz = a[2]->items[d];
    const Obj* sd = a[3]->items[d];
    if (sz->kind != Kind::kInt || sz->i < 0 || sd->kind != Kind::kInt || sd->i < 0)
      Bad("_rebuild_tensor_v2 on storage '%s': size/stride entry %zu is not a non-negative int", key, d);
    t->shape.push_back(static_cast<uint64_t>(sz->i));
    stride.push_back(static_cast<uint64_t>(sd->i));
    if (MulOverflow(numel, t->shape.back(), &numel))
      Bad("_rebuild_tensor_v2 on storage '%s': shape %s overflows 64 bits", key, ShapeString(t->shape).c_str());
  }
  // Row-major contiguous; the stride of a size-1 dim does not matter.
  if (numel > 0) {
    uint64_t expect = 1;
    for (size_t d = t->shape.size(); d-- > 0;) {
      if (t->shape[d] != 1 && stride[d] != expect)
        Bad("_rebuild_tensor_v2 on storage '%s': strides %s of shape %s are not contiguous (only contiguous tensors "
            "are supported)", key, ShapeString(stride).c_str(), ShapeString(t->shape).c_str());
      expect *= t->shape[d];
    }
  }
  uint64_t end;
  if (AddOverflow(t->offset, numel, &end) || end > st.numel)
    Bad("_rebuild_tensor_v2: a tensor of shape %s at offset %llu runs past storage '%s' of %llu elements",
        ShapeString(t->shape).c_str(), static_cast<unsigned long long>(t->offset), key,
        static_cast<unsigned long long>(st.numel));
  return t;
}

// BINPERSID: ('storage', <storage type>, key, location, numel).
Obj* PickleVm::PersistentLoad(Obj* pid) {
  const std::vector<Obj*>& a = pid->items;
  if (pid->kind != Kind::kTuple || a.size() != 5 || a[0]->kind != Kind::kStr || a[0]->s != "storage")
    Bad("pickle persistent id is not a ('storage', type, key, location, numel) tuple");
  if (a[1]->kind != Kind::kGlobal || a[1]->fn != Fn::kStorageType)
    Bad("pickle persistent id names a %s, not a storage type", a[1]->kind == Kind::kGlobal ? a[1]->s.c_str()
                                                                                             : KindName(a[1]->kind));
  if (a[2]->kind != Kind::kStr || a[2]->s.empty() || a[2]->s.size() > kMaxStorageKey ||
      a[2]->s.find('/') != std::string::npos)
    Bad("pickle persistent id has a bad storage key");
  if (a[3]->kind != Kind::kStr) Bad("pickle persistent id has a non-string location");
  if (a[4]->kind != Kind::kInt || a[4]->i < 0) Bad("pickle persistent id has a bad element count");
  const std::string& key = a[2]->s;
  const DType dtype = a[1]->dtype;
  const uint64_t numel = static_cast<uint64_t>(a[4]->i);
  auto it = storages_.find(key);
  if (it != storages_.end()) {
    if (it->second->dtype != dtype || it->second->numel != numel)
      Bad("storage '%s' is referenced as two different types or sizes", PrintableName(key).c_str());
    return it->second;
  }
  const std::string entry_name = root_ + "/data/" + key;
  const ZipEntry* e = zip_.Find(entry_name);
  if (e == nullptr) Bad("storage '%s' has no entry %s in the archive", PrintableName(key).c_str(),
                        PrintableName(entry_name).c_str());
  uint64_t bytes;
  if (!BytesOf(dtype, numel, &bytes) || bytes != e->size)
    Bad("storage '%s' claims %llu %s elements but its entry %s holds %llu bytes", PrintableName(key).c_str(),
        static_cast<unsigned long long>(numel), Info(dtype).name, PrintableName(entry_name).c_str(),
        static_cast<unsigned long long>(e->size));
  Obj* s = New(Kind::kStorage);
  s->s = key;
  s->dtype = dtype;
  s->numel = numel;
  s->entry = e;
  storages_[key] = s;
  return s;
}

// BUILD sets attributes: allowed on a dict (an OrderedDict's `_metadata`,
// which we ignore) and on inert numpy placeholders (ignored too).
void PickleVm::Build(Obj* target, Obj* state) {
  if (target->kind == Kind::kOpaque) return;
  if (target->kind == Kind::kDict) {
    const bool ok = state->kind == Kind::kNone || state->kind == Kind::kDict ||
                    (state->kind == Kind::kTuple && state->items.size() == 2);
    if (!ok) Bad("pickle BUILD on a dict with a %s state", KindName(state->kind));
    return;
  }
  Bad("pickle BUILD on a %s is not supported", KindName(target->kind));
}

Obj* PickleVm::Run() {
  ByteReader r(data_, size_, path_ + " (" + pkl_name_ + ")", ExitCode::kBadModel);
  for (;;) {
    op_pos_ = r.pos();
    if (r.remaining() == 0) Bad("pickle ends without STOP");
    const uint8_t op = r.U8();
    switch (op) {
      case 0x80: {  // PROTO
        const uint8_t v = r.U8();
        if (v < 2 || v > 5) Bad("pickle protocol %u is not supported (2 to 5 are)", v);
        break;
      }
      case 0x95: {  // FRAME: a length hint only
        const uint64_t n = r.U64();
        if (n > r.remaining()) Bad("pickle frame of %llu bytes runs past the end", static_cast<unsigned long long>(n));
        break;
      }
      case '.': {  // STOP
        Obj* o = Pop();
        if (!marks_.empty() || !stack_.empty()) Bad("pickle stops with %zu values left on its stack", stack_.size());
        if (r.remaining() != 0) Bad("%zu bytes after the pickle's STOP", r.remaining());
        return o;
      }
      case '}': Push(New(Kind::kDict)); break;   // EMPTY_DICT
      case ']': Push(New(Kind::kList)); break;   // EMPTY_LIST
      case ')': Push(New(Kind::kTuple)); break;  // EMPTY_TUPLE
      case '(':                                  // MARK
        if (marks_.size() >= kMaxPickleMarks) Bad("pickle nests deeper than %zu MARKs", kMaxPickleMarks);
        marks_.push_back(stack_.size());
        break;
      case 't': {  // TUPLE
        Obj* t = New(Kind::kTuple);
        t->items = PopMark();
        Push(t);
        break;
      }
      case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
        Obj* t = New(Kind::kTuple);
        t->items = PopN(op - 0x84u);
        Push(t);
        break;
      }
      case 'd': {  // DICT
        Obj* d = New(Kind::kDict);
        d->items = PopMark();
        if (d->items.size() % 2 != 0) Bad("pickle DICT with an odd number of items");
        Push(d);
        break;
      }
      case 's': {  // SETITEM
        Obj* v = Pop();
        Obj* k = Pop();
        Obj* d = Top();
        if (d->kind != Kind::kDict) Bad("pickle SETITEM on a %s", KindName(d->kind));
        d->items.push_back(k);
        d->items.push_back(v);
        break;
      }
      case 'u': {  // SETITEMS
        std::vector<Obj*> kv = PopMark();
        if (kv.size() % 2 != 0) Bad("pickle SETITEMS with an odd number of items");
        Obj* d = Top();
        if (d->kind != Kind::kDict) Bad("pickle SETITEMS on a %s", KindName(d->kind));
        d->items.insert(d->items.end(), kv.begin(), kv.end());
        break;
      }
      case 'a': {  // APPEND
        Obj* v = Pop();
        Obj* l = Top();
        if (l->kind != Kind::kList) Bad("pickle APPEND on a %s", KindName(l->kind));
        l->items.push_back(v);
        break;
      }
      case 'e': {  // APPENDS
        std::vector<Obj*> vs = PopMark();
        Obj* l = Top();
        if (l->kind != Kind::kList) Bad("pickle APPENDS on a %s", KindName(l->kind));
        l->items.insert(l->items.end(), vs.begin(), vs.end());
        break;
      }
      case 'q': Put(r.U8()); break;             // BINPUT
      case 'r': Put(r.U32()); break;            // LONG_BINPUT
      case 0x94: Put(memo_.size()); break;      // MEMOIZE
      case 'h': Get(r.U8()); break;             // BINGET
      case 'j': Get(r.U32()); break;            // LONG_BINGET
      case 'J': {                               // BININT: signed 32-bit
        Obj* o = New(Kind::kInt);
        o->i = static_cast<int32_t>(r.U32());
        Push(o);
        break;
      }
      case 'K': {  // BININT1
        Obj* o = New(Kind::kInt);
        o->i = r.U8();
        Push(o);
        break;
      }
      case 'M': {  // BININT2
        const uint8_t* b = r.Bytes(2);
        Obj* o = New(Kind::kInt);
        o->i = b[0] | (b[1] << 8);
        Push(o);
        break;
      }
      case 0x8a: {  // LONG1: n-byte little-endian two's complement
        const uint8_t n = r.U8();
        if (n > 8) Bad("pickle LONG1 integer of %u bytes is larger than 64 bits", n);
        const uint8_t* b = r.Bytes(n);
        uint64_t v = 0;
        for (int k = n - 1; k >= 0; --k) v = (v << 8) | b[k];
        if (n > 0 && n < 8 && (b[n - 1] & 0x80)) v |= ~uint64_t{0} << (8 * n);  // sign-extend
        Obj* o = New(Kind::kInt);
        o->i = static_cast<int64_t>(v);
        Push(o);
        break;
      }
      case 'G': {  // BINFLOAT: big-endian double
        const uint8_t* b = r.Bytes(8);
        uint64_t bits = 0;
        for (int k = 0; k < 8; ++k) bits = (bits << 8) | b[k];
        Obj* o = New(Kind::kFloat);
        std::memcpy(&o->f, &bits, 8);
        Push(o);
        break;
      }
      case 'N': Push(New(Kind::kNone)); break;
      case 0x88: case 0x89: {  // NEWTRUE, NEWFALSE
        Obj* o = New(Kind::kBool);
        o->i = op == 0x88;
        Push(o);
        break;
      }
      case 0x8c: Push(Text(r, r.U8(), Kind::kStr)); break;    // SHORT_BINUNICODE
      case 'X': Push(Text(r, r.U32(), Kind::kStr)); break;    // BINUNICODE
      case 0x8d: Push(Text(r, r.U64(), Kind::kStr)); break;   // BINUNICODE8
      case 'C': Push(Text(r, r.U8(), Kind::kBytes)); break;   // SHORT_BINBYTES
      case 'B': Push(Text(r, r.U32(), Kind::kBytes)); break;  // BINBYTES
      case 0x8e: Push(Text(r, r.U64(), Kind::kBytes)); break; // BINBYTES8
      case 'c': {  // GLOBAL "module\nname\n"
        const std::string module = Line(r);
        const std::string name = Line(r);
        Push(Global(module, name));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        Obj* name = Pop();
        Obj* module = Pop();
        if (module->kind != Kind::kStr || name->kind != Kind::kStr) Bad("pickle STACK_GLOBAL of non-strings");
        Push(Global(module->s, name->s));
        break;
      }
      case 'R': {  // REDUCE
        Obj* args = Pop();
        Obj* fn = Pop();
        Push(Reduce(fn, args));
        break;
      }
      case 'Q': Push(PersistentLoad(Pop())); break;  // BINPERSID
      case 'b': {                                    // BUILD
        Obj* state = Pop();
        Build(Top(), state);
        break;
      }
      default:
        Bad("pickle opcode 0x%02x is not supported (a tensor state_dict does not need it)", op);
    }
  }
}

// The value of string key `key` in dict `d`, or nullptr; a key present twice
// is an error.
const Obj* FindKey(const Obj& d, const std::string& key, const char* path) {
  const Obj* found = nullptr;
  for (size_t k = 0; k + 1 < d.items.size(); k += 2) {
    if (d.items[k]->kind == Kind::kStr && d.items[k]->s == key) {
      if (found != nullptr) Fail(ExitCode::kBadModel, "%s: the pickled dict has two '%s' entries", path, key.c_str());
      found = d.items[k + 1];
    }
  }
  return found;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

TorchCheckpoint::~TorchCheckpoint() = default;

TorchCheckpoint::TorchCheckpoint(const std::string& path, const std::string& keep_prefix)
    : file_(path, ExitCode::kBadModel) {
  const char* p = path.c_str();
  // The legacy (PyTorch < 1.6) format is a bare pickle stream: protocol opcode first.
  if (file_.size() >= 2 && file_.data()[0] == 0x80)
    Fail(ExitCode::kBadModel, "%s: legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with "
         "PyTorch >= 1.6", p);
  zip_ = std::make_unique<ZipArchive>(file_.data(), file_.size(), path);

  // Exactly one top-level folder.
  std::string root;
  for (const ZipEntry& e : zip_->entries()) {
    const size_t slash = e.name.find('/');
    if (slash == std::string::npos || slash == 0)
      Fail(ExitCode::kBadModel, "%s: zip entry '%s' is not inside a top-level folder (not a torch.save checkpoint)",
           p, PrintableName(e.name).c_str());
    const std::string r = e.name.substr(0, slash);
    if (root.empty()) root = r;
    if (r != root)
      Fail(ExitCode::kBadModel, "%s: zip entries under two top-level folders, '%s' and '%s' (not a torch.save "
           "checkpoint)", p, PrintableName(root).c_str(), PrintableName(r).c_str());
  }
  if (root.empty()) Fail(ExitCode::kBadModel, "%s: empty zip archive (not a torch.save checkpoint)", p);
  for (const ZipEntry& e : zip_->entries()) {
    if (StartsWith(e.name, root + "/code/") || e.name == root + "/constants.pkl")
      Fail(ExitCode::kBadModel, "%s: this is a TorchScript archive (torch.jit.save), which is not supported; give "
           "the torch.save checkpoint of the state_dict", p);
  }
  if (const ZipEntry* bo = zip_->Find(root + "/byteorder")) {
    const uint8_t* b = zip_->Data(*bo);
    if (std::string(reinterpret_cast<const char*>(b), bo->size) != "little")
      Fail(ExitCode::kBadModel, "%s: the checkpoint's byteorder is not \"little\"; big-endian checkpoints are not "
           "supported", p);
  }
  const std::string pkl_name = root + "/data.pkl";
  const ZipEntry* pkl = zip_->Find(pkl_name);
  if (pkl == nullptr)
    Fail(ExitCode::kBadModel, "%s: no %s in the archive (not a torch.save checkpoint)", p,
         PrintableName(pkl_name).c_str());
  if (pkl->size > kMaxPickleBytes)
    Fail(ExitCode::kBadModel, "%s: %s is %llu bytes, more than the %llu allowed", p, PrintableName(pkl_name).c_str(),
         static_cast<unsigned long long>(pkl->size), static_cast<unsigned long long>(kMaxPickleBytes));

  PickleVm vm(zip_->Data(*pkl), static_cast<size_t>(pkl->size), path, pkl_name, *zip_, root);
  const Obj* top = vm.Run();

  // The state dict: top["state_dict"], or the top-level dict of tensors itself.
  if (top->kind != Kind::kDict)
    Fail(ExitCode::kBadModel, "%s: the pickled object is a %s, not a dict", p, KindName(top->kind));
  const Obj* sd = FindKey(*top, "state_dict", p);
  if (sd != nullptr) {
    if (sd->kind != Kind::kDict)
      Fail(ExitCode::kBadModel, "%s: 'state_dict' is a %s, not a dict", p, KindName(sd->kind));
  } else {
    for (size_t k = 1; k < top->items.size(); k += 2)
      if (top->items[k]->kind != Kind::kTensor)
        Fail(ExitCode::kBadModel, "%s: no 'state_dict' entry, and the top-level dict is not a dict of tensors", p);
    sd = top;
  }

  std::set<std::string> seen;
  std::map<const Obj*, const uint8_t*> storage_data;  // CRC-checked once each
  for (size_t k = 0; k + 1 < sd->items.size(); k += 2) {
    const Obj& key = *sd->items[k];
    const Obj& val = *sd->items[k + 1];
    if (key.kind != Kind::kStr)
      Fail(ExitCode::kBadModel, "%s: a state_dict key is a %s, not a string", p, KindName(key.kind));
    const std::string shown = PrintableName(key.s);
    if (!seen.insert(key.s).second)
      Fail(ExitCode::kBadModel, "%s: state_dict names '%s' twice", p, shown.c_str());
    ++state_dict_size_;
    if (!StartsWith(key.s, keep_prefix)) continue;
    if (val.kind != Kind::kTensor) {
      if (keep_prefix.empty()) continue;
      Fail(ExitCode::kBadModel, "%s: state_dict entry '%s' is a %s, not a tensor", p, shown.c_str(),
           KindName(val.kind));
    }
    const Obj* st = val.storage;
    auto it = storage_data.find(st);
    if (it == storage_data.end()) it = storage_data.emplace(st, zip_->Data(*st->entry)).first;
    const uint64_t elem = Info(val.dtype).block_bytes;  // plain types: bytes per element
    TensorView t;
    t.name = key.s;
    t.dtype = val.dtype;
    t.shape = val.shape;
    t.data = it->second + val.offset * elem;  // offset + numel <= storage numel: checked
    t.nbytes = t.numel() * elem;
    index_[t.name] = tensors_.size();
    tensors_.push_back(std::move(t));
  }
}

const TensorView* TorchCheckpoint::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace ecgr1
