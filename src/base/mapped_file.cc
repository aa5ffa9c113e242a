#include "base/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "base/error.h"

namespace ecgr1 {

MappedFile::MappedFile(const std::string& path, ExitCode ec) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail(ec, "%s: cannot open: %s", path.c_str(), std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    Fail(ec, "%s: cannot stat: %s", path.c_str(), std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    Fail(ec, "%s: not a regular file", path.c_str());
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int e = errno;
      ::close(fd);
      Fail(ec, "%s: cannot map: %s", path.c_str(), std::strerror(e));
    }
    data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

void MappedFile::WillNeed(size_t offset, size_t len) const {
  if (data_ == nullptr || offset >= size_) return;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t begin = offset / page * page;
  const size_t end = std::min(size_, offset + len);
  ::madvise(const_cast<uint8_t*>(data_) + begin, end - begin, MADV_WILLNEED);
}

std::string ReadSmallFile(const std::string& path, ExitCode ec, size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail(ec, "%s: cannot open: %s", path.c_str(), std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    Fail(ec, "%s: not a regular file", path.c_str());
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    Fail(ec, "%s: file is %lld bytes, more than the %zu allowed", path.c_str(),
         static_cast<long long>(st.st_size), max_bytes);
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, &out[got], out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      Fail(ec, "%s: read error", path.c_str());
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

void ByteReader::Truncated(size_t need) const {
  Fail(code_, "%s: truncated: need %zu bytes at offset %zu, only %zu left",
       what_.c_str(), need, pos_, size_ - pos_);
}

const uint8_t* ByteReader::Bytes(size_t n) {
  if (n > size_ - pos_) Truncated(n);
  const uint8_t* p = data_ + pos_;
  pos_ += n;
  return p;
}

uint8_t ByteReader::U8() { return *Bytes(1); }

uint32_t ByteReader::U32() {
  const uint8_t* p = Bytes(4);
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

uint64_t ByteReader::U64() {
  const uint8_t* p = Bytes(8);
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace ecgr1
