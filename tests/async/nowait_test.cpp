// The nowait try (AsyncFileOptions::nowait_first): a read of cached data completes on the
// initiating thread without the backend, never inside the initiating call, and what the try
// cannot do the backend finishes with the right bytes. The pool is made observable by keeping
// its only thread busy: a read that completes meanwhile did not use it.
#include "async/async_test_support.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_file.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>

namespace asio = boost::asio;
using atomicio::AsyncFile;
using atomicio::test::TempDir;

namespace {

atomicio::IoEngineOptions one_pool_thread() {
  atomicio::IoEngineOptions options;
  options.backend = atomicio::IoBackend::thread_pool;
  options.pool_threads = 1;
  options.use_environment = false;
  return options;
}

// Keeps the engine's one pool thread waiting until release() or destruction.
class BusyPool {
 public:
  explicit BusyPool(atomicio::IoEngine& engine) {
    auto released = release_.get_future().share();
    std::promise<void> started;
    auto running = started.get_future();
    asio::post(engine.pool(), [released, started = std::move(started)]() mutable {
      started.set_value();
      released.wait();
    });
    running.wait();
  }
  ~BusyPool() { release(); }
  void release() {
    if (!released_) release_.set_value();
    released_ = true;
  }

 private:
  std::promise<void> release_;
  bool released_ = false;
};

AsyncFile adopt_for_reading(asio::io_context& context, const std::filesystem::path& path, atomicio::IoEngine& engine,
                            bool nowait_first) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  atomicio::AsyncFileOptions options;
  options.engine = &engine;
  options.nowait_first = nowait_first;
  return AsyncFile::adopt(context.get_executor(), fd, path, options);
}

}  // namespace

TEST_CASE("a read of cached data completes while the pool's only thread is busy", "[async][nowait]") {
  TempDir dir;
  const std::string content(100000, 'c');
  atomicio::test::spit(dir / "cached", content);
  (void)atomicio::test::slurp(dir / "cached");  // in the page cache now
  atomicio::IoEngine engine(one_pool_thread());
  BusyPool busy(engine);
  asio::io_context context;
  AsyncFile file = adopt_for_reading(context, dir / "cached", engine, true);

  bool initiated = false, ran_inside_initiation = false, done = false;
  boost::system::error_code error;
  std::string read;
  file.async_read_at(0, content.size() + 10, [&](boost::system::error_code e, std::string data) {
    ran_inside_initiation = !initiated;
    error = e;
    read = std::move(data);
    done = true;
  });
  initiated = true;
  context.run_for(std::chrono::seconds(10));
  REQUIRE(done);
  CHECK_FALSE(ran_inside_initiation);
  CHECK_FALSE(error);
  CHECK(read == content);
}

TEST_CASE("without the nowait try the same read waits for the pool", "[async][nowait]") {
  TempDir dir;
  atomicio::test::spit(dir / "cached", "cached bytes");
  (void)atomicio::test::slurp(dir / "cached");
  atomicio::IoEngine engine(one_pool_thread());
  BusyPool busy(engine);
  asio::io_context context;
  AsyncFile file = adopt_for_reading(context, dir / "cached", engine, false);

  bool done = false;
  std::string read;
  file.async_read_at(0, 64, [&](boost::system::error_code, std::string data) {
    read = std::move(data);
    done = true;
  });
  // The pool cannot run the read: nothing completes however long the loop runs.
  context.run_for(std::chrono::milliseconds(200));
  CHECK_FALSE(done);
  busy.release();
  context.restart();
  context.run_for(std::chrono::seconds(10));
  REQUIRE(done);
  CHECK(read == "cached bytes");
}

TEST_CASE("a read larger than one try waits for the backend for the rest", "[async][nowait]") {
  TempDir dir;
  const std::string content((1 << 20) + 5, 'm');
  atomicio::test::spit(dir / "large", content);
  atomicio::IoEngine engine(one_pool_thread());
  BusyPool busy(engine);
  asio::io_context context;
  AsyncFile file = adopt_for_reading(context, dir / "large", engine, true);
  bool done = false;
  std::string read;
  file.async_read_at(0, content.size(), [&](boost::system::error_code, std::string data) {
    read = std::move(data);
    done = true;
  });
  context.run_for(std::chrono::milliseconds(200));
  CHECK_FALSE(done);  // the first MiB came from the try; the last 5 bytes wait for the pool
  busy.release();
  context.restart();
  context.run_for(std::chrono::seconds(10));
  REQUIRE(done);
  CHECK((read == content));
}

TEST_CASE("a read_some at the end of the file completes with eof from the nowait try", "[async][nowait]") {
  TempDir dir;
  atomicio::test::spit(dir / "short", "abc");
  atomicio::IoEngine engine(one_pool_thread());
  BusyPool busy(engine);
  asio::io_context context;
  AsyncFile file = adopt_for_reading(context, dir / "short", engine, true);
  char buffer[8];
  bool done = false;
  boost::system::error_code error;
  std::size_t bytes = 99;
  file.async_read_some_at(3, asio::buffer(buffer), [&](boost::system::error_code e, std::size_t n) {
    error = e;
    bytes = n;
    done = true;
  });
  context.run_for(std::chrono::seconds(10));
  REQUIRE(done);
  CHECK(error == asio::error::eof);
  CHECK(bytes == 0);
}

// One try moves at most 1 MiB, so the backend always continues this 8 MiB read after the bytes
// the try moved (and reports the total).
TEST_CASE("what the nowait try leaves, beyond 1 MiB or out of the cache, the backend finishes", "[async][nowait]") {
  TempDir dir;
  std::string content(8 << 20, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  atomicio::test::spit(dir / "half-cached", content);
  int fd = ::open((dir / "half-cached").c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  ::fdatasync(fd);
  // The second half leaves the cache too (clean pages are dropped on ext4, not on tmpfs).
  ::posix_fadvise(fd, 4 << 20, 4 << 20, POSIX_FADV_DONTNEED);
  ::close(fd);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto options = atomicio::test::file_options();
    options.nowait_first = true;
    AsyncFile file = co_await AsyncFile::async_open(executor, dir / "half-cached", atomicio::OpenMode::read_only(),
                                                     options, asio::use_awaitable);
    std::string read = co_await file.async_read_at(0, content.size() + 1, asio::use_awaitable);
    CHECK(read.size() == content.size());
    CHECK((read == content));
  });
}
