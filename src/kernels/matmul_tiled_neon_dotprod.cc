// matmul_tiled_neon_dotprod.cc — q8 / q4 matrix products with NEON SDOT
// (compiled for Armv8.2 + dotprod on arm64, empty elsewhere). The kernels are
// in matmul_tiled_neon-inl.h; the activations come from the NEON quantizer.
#if defined(__aarch64__)

#define ECGR1_NEON_DOTPROD 1
#include "kernels/matmul_tiled_neon-inl.h"

namespace ecgr1 {
namespace kernels {

void MatMulTiledNeonDotprod(const TiledProduct& p, bool parallel) { RunTiled(p, parallel); }

}  // namespace kernels
}  // namespace ecgr1

#endif  // __aarch64__
