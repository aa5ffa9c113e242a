# aarch64-toolchain.cmake — cross-compiling ecgr1 for arm64 on Debian/Ubuntu
# x86-64 with the g++-aarch64-linux-gnu cross compiler and the arm64 builds of
# the libraries (multiarch: libhwy-dev:arm64 and friends; tools/test-aarch64.sh
# installs them). Tests run under qemu-aarch64 (CTest's emulator).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# Multiarch: arm64 libraries and their CMake/pkg-config files live under
# /usr/lib/aarch64-linux-gnu, headers under /usr/include.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
