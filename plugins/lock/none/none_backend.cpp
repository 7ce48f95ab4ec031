// lock.none: no inter-process locking. The core's in-process table still makes threads of
// one process exclude each other; other processes are not excluded at all. For
// single-process programs and scratch data; never chosen automatically. It touches no file.
#include <atomicio/sdk/lock_backend.hpp>

namespace {

class NoneBackend final : public atomicio::sdk::LockBackend {
 public:
  std::unique_ptr<Handle> open(const std::string&) override { return std::make_unique<Handle>(); }
  bool lock(Handle&, atomicio::sdk::LockMode, std::chrono::nanoseconds) override { return true; }
  void unlock(Handle&) override {}
};

}  // namespace

ATOMICIO_LOCK_BACKEND_PLUGIN(NoneBackend)
