// The Catch2 main of the async test programs. Each program runs three times under ctest, once
// per `--io-backend`: `io_uring` and `thread_pool` force that backend; `blocked` first installs
// a seccomp filter that fails io_uring_setup(2) with EPERM in this process, as Docker's default
// profile does, and leaves the choice to the automatic probe, which must fall back to the pool.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "async/async_test_support.hpp"

#include <cstdio>
#include <iostream>

int main(int argc, char* argv[]) {
  Catch::Session session;
  std::string backend = "thread_pool";
  using namespace Catch::clara;
  session.cli(session.cli() | Opt(backend, "io_uring|thread_pool|blocked")["--io-backend"](
                                  "which async backend the tests run on"));
  if (int status = session.applyCommandLine(argc, argv); status != 0) return status;
  if (!atomicio::test::select_backend(backend)) {
    std::cerr << "unknown --io-backend '" << backend << "'\n";
    return 2;
  }
  return session.run();
}
