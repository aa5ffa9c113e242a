// gemm_eigen_avx512.cc — Eigen's f32 GEMM with AVX-512 F/DQ/BW/VL + FMA
// (compiled with those -m flags on x86-64, empty elsewhere). See
// gemm_eigen-inl.h.
#if defined(__x86_64__)
// GCC 12's own AVX-512 unpack intrinsics pass an undefined vector as the
// unused merge source, which -Wmaybe-uninitialized reports inside Eigen.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define ECGR1_EIGEN_NS ecgr1_eigen_avx512
#define ECGR1_GEMM_ENTRY GemmEigenAvx512
#include "kernels/gemm_eigen-inl.h"
#endif
