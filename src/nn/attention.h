// attention.h — full (bidirectional) multi-head self-attention over one
// sequence, shared by the ECG tower and the vision encoder.
//
// qkv: [n, 3W] with columns q | k | v, each split into `heads` heads of
// hd = W / heads contiguous columns. If cos_/sin_ are given ([n, hd/2]),
// q and k are rotated rotate-half style first. Scores q.k * hd^-0.5, softmax
// over all n keys, no mask. out: [n, W], heads concatenated.
// One head at a time as two matrix products on the kernel layer, so the extra
// memory is one head's [n, n] score matrix. With `bf16`, keys and values are
// rounded to bf16 and both products may take the AVX512-BF16 path (set by
// callers whose weights allow bf16 activations; see WeightMatrix).
#pragma once

#include <cstddef>

namespace ecgr1 {

void FullAttention(const float* qkv, size_t n, size_t width, size_t heads, const float* cos_, const float* sin_,
                   float* out, bool bf16 = false);

}  // namespace ecgr1
