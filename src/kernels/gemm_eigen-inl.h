// gemm_eigen-inl.h — one f32 GEMM through Eigen, for one instruction set.
//
// Eigen is header-only and picks its SIMD code from the compiler flags of the
// translation unit, so it is compiled once per instruction set (gemm_eigen.cc:
// the architecture's baseline; gemm_eigen_avx2.cc, gemm_eigen_avx512.cc: with
// their -m flags) and chosen at run time (gemm.cc). Every copy renames
// Eigen's namespace (ECGR1_EIGEN_NS), so the linker can never merge an
// AVX-512 instantiation into the AVX2 or baseline path: their template
// instances have different names. tests/isa_symbols_test.sh checks that no
// other shared symbol leaves these files.
//
// The includer defines ECGR1_EIGEN_NS and ECGR1_GEMM_ENTRY (the function's
// name) before including this file.
#if !defined(ECGR1_EIGEN_NS) || !defined(ECGR1_GEMM_ENTRY)
#error "define ECGR1_EIGEN_NS and ECGR1_GEMM_ENTRY before including gemm_eigen-inl.h"
#endif

#include <cstddef>

#define Eigen ECGR1_EIGEN_NS
#include <Eigen/Core>

#include "kernels/gemm.h"

namespace ecgr1 {
namespace kernels {

void ECGR1_GEMM_ENTRY(const float* a, size_t m, size_t k, const float* b, size_t n, bool b_rows, float* c) {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto M = static_cast<Eigen::Index>(m), K = static_cast<Eigen::Index>(k), N = static_cast<Eigen::Index>(n);
  const Eigen::Map<const RowMajor> A(a, M, K);
  Eigen::Map<RowMajor> C(c, M, N);
  if (b_rows) {
    const Eigen::Map<const RowMajor> B(b, N, K);
    C.noalias() = A * B.transpose();
  } else {
    const Eigen::Map<const RowMajor> B(b, K, N);
    C.noalias() = A * B;
  }
}

}  // namespace kernels
}  // namespace ecgr1
