// gemm_eigen_avx2.cc — Eigen's f32 GEMM with AVX2 + FMA (compiled with those
// -m flags on x86-64, empty elsewhere). See gemm_eigen-inl.h.
#if defined(__x86_64__)
#define ECGR1_EIGEN_NS ecgr1_eigen_avx2
#define ECGR1_GEMM_ENTRY GemmEigenAvx2
#include "kernels/gemm_eigen-inl.h"
#endif
