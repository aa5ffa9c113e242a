// test_util.h — small helpers shared by the tests: temporary folders and files.
#pragma once

#include <stdlib.h>

#include <cstdlib>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace ecgr1::test {

// A fresh folder under the system temp dir, removed with its contents.
struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ecgr1_test_XXXXXX").string();
    if (mkdtemp(&tmpl[0]) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const std::string& name) const { return path + "/" + name; }
};

// The project's shared/ folder beside the checkout ($ECGR1_SHARED_DIR
// overrides); tests that need it skip when it does not exist.
inline std::string SharedDir() {
  const char* env = std::getenv("ECGR1_SHARED_DIR");
  return env != nullptr && *env ? env : ECGR1_SHARED_DIR;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f.good()) throw std::runtime_error("cannot write " + path);
}

}  // namespace ecgr1::test
