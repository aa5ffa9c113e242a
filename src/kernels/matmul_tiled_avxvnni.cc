// matmul_tiled_avxvnni.cc — q8 / q4 matrix products with AVX-VNNI (vpdpbusd
// on ymm; compiled with -mavxvnni on x86-64, empty elsewhere). The kernels
// are in matmul_tiled_ymm-inl.h; the activations come from the AVX2
// quantizer.
#if defined(__x86_64__)

#define ECGR1_YMM_VNNI 1
#include "kernels/matmul_tiled_ymm-inl.h"

namespace ecgr1 {
namespace kernels {

void MatMulTiledAvxVnni(const TiledProduct& p, bool parallel) { RunTiled(p, parallel); }

}  // namespace kernels
}  // namespace ecgr1

#endif  // __x86_64__
