#include "lock_test_support.hpp"

#include "support/child_process.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace atomicio::test {

Pipe::Pipe() {
  if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
}

Pipe::~Pipe() {
  ::close(fds_[0]);
  if (fds_[1] >= 0) ::close(fds_[1]);
}

void Pipe::send(char byte) {
  if (::write(fds_[1], &byte, 1) != 1) throw std::runtime_error("pipe write failed");
}

char Pipe::receive() {
  char byte = 0;
  ssize_t n;
  do {
    n = ::read(fds_[0], &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw std::runtime_error("pipe read failed");
  return n == 0 ? '\0' : byte;
}

void Pipe::close_write_end() {
  if (fds_[1] >= 0) ::close(fds_[1]);
  fds_[1] = -1;
}

namespace {

// Runs in the forked child: 0 free, 1 held, 2 error.
int probe_in_child(const std::string& backend, const std::filesystem::path& sidecar) {
  if (backend == "lockfile") return ::access(sidecar.c_str(), F_OK) == 0 ? 1 : 0;
  int fd = ::open(sidecar.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? 0 : 2;
  int result = 0;
  if (backend == "flock") {
    result = ::flock(fd, LOCK_EX | LOCK_NB);
    if (result != 0) return errno == EWOULDBLOCK ? 1 : 2;
    return 0;
  }
  struct flock range {};
  range.l_type = F_WRLCK;
  range.l_whence = SEEK_SET;
  result = ::fcntl(fd, backend == "ofd" ? F_OFD_SETLK : F_SETLK, &range);
  if (result != 0) return errno == EAGAIN || errno == EACCES ? 1 : 2;
  return 0;
}

}  // namespace

ProbeResult probe_sidecar(const std::string& backend, const std::filesystem::path& sidecar) {
  auto child = ChildProcess::fork([&] { return probe_in_child(backend, sidecar); });
  ExitStatus status = child.wait(std::chrono::seconds(30));
  if (!status.exited || status.code > 1) return ProbeResult::error;
  return status.code == 1 ? ProbeResult::held : ProbeResult::free;
}

BackendPlugin::BackendPlugin(const std::string& backend) {
  const std::string library = std::string(ATOMICIO_TEST_PLUGIN_DIR) + "/lock." + backend + ".so";
  // Never closed: the core may have loaded the same library, and plugins are never unloaded.
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw std::runtime_error("cannot load " + library + ": " + ::dlerror());
  auto entry = reinterpret_cast<atomicio_plugin_entry_fn>(::dlsym(handle, "atomicio_plugin_entry_v1"));
  if (entry == nullptr) throw std::runtime_error(library + " has no entry point");
  const atomicio_host_v1 host{sizeof(atomicio_host_v1), ATOMICIO_ABI_MAJOR, ATOMICIO_ABI_MINOR};
  const atomicio_plugin_v1* plugin = entry(&host);
  if (plugin == nullptr || plugin->kind != ATOMICIO_KIND_LOCK_BACKEND)
    throw std::runtime_error(library + " is not a lock backend");
  api_ = static_cast<const atomicio_lock_backend_v1*>(plugin->interface);
}

void* BackendPlugin::open(const std::filesystem::path& sidecar) const {
  const std::string path = sidecar.string();
  void* handle = nullptr;
  if (api_->open(api_->self, path.c_str(), path.size(), &handle, nullptr) != ATOMICIO_OK)
    throw std::runtime_error("backend could not open " + path);
  return handle;
}

int BackendPlugin::lock(void* handle, atomicio_lock_mode mode, std::chrono::nanoseconds timeout) const {
  return api_->lock(api_->self, handle, mode, timeout.count(), nullptr);
}

int BackendPlugin::unlock(void* handle) const { return api_->unlock(api_->self, handle, nullptr); }

void BackendPlugin::close(void* handle) const { api_->close(api_->self, handle); }

}  // namespace atomicio::test
