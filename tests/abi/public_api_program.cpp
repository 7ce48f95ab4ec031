// A program written against the public headers alone, compiled as a consumer compiles it (default
// visibility, no path into core/src), so its link proves that what the headers declare is
// exported: classes, free functions, the typeinfo a catch by type needs, and the public-detail
// lock queue that libatomicio_async uses. Running it checks the headers and the loaded library
// agree on the version. Exit status 0 on success, 1 with a message otherwise.
#include <atomicio/atomicio.hpp>
#include <atomicio/codec_stream.hpp>
#include <atomicio/detail/lock_queue.hpp>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>

namespace {

int fail(const std::string& what) {
  std::cerr << "FAILED: " << what << "\n";
  return 1;
}

}  // namespace

int main() {
  if (std::strcmp(atomicio::version(), ATOMICIO_VERSION_STRING) != 0) {
    return fail(std::string("library ") + atomicio::version() + " under headers " + ATOMICIO_VERSION_STRING);
  }

  std::error_code error;
  const auto directory = std::filesystem::temp_directory_path() / "atomicio-abi-program";
  std::filesystem::remove_all(directory, error);
  std::filesystem::create_directories(directory);
  {
    atomicio::AtomicWriter writer(directory / "data.bin");
    writer.write(std::string_view("bytes"));
    writer.commit();
  }

  // The library throws, the program catches by the public types: needs their typeinfo exported.
  bool caught = false;
  try {
    atomicio::AtomicWriter writer(directory / "missing-directory" / "data.bin");
  } catch (const atomicio::FileWriteError& e) {
    caught = e.code().value() != 0;
  } catch (const atomicio::AtomicIOError& e) {
    return fail(std::string("not a FileWriteError: ") + e.what());
  }
  std::filesystem::remove_all(directory, error);
  if (!caught) return fail("a commit into a missing directory did not throw FileWriteError");

  // The public-detail side, as libatomicio_async links it.
  const atomicio::detail::LockOwner owner = atomicio::detail::new_task_lock_owner();
  atomicio::detail::LockOwnerScope scope(owner);
  std::cout << "atomicio " << atomicio::version() << ": public API linked and ran\n";
  return 0;
}
