// The commit engine. Each step below names the crash or race it prevents; the order matters.
#include <atomicio/atomic_writer.hpp>

#include "commit/temp_file.hpp"
#include "path/resolved_target.hpp"
#include "posix/file_system.hpp"
#include "posix/os_error.hpp"

#include <atomicio/errors.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace atomicio {

namespace detail {

namespace {

constexpr std::size_t kBufferSize = 64 * 1024;
constexpr long kBtrfsMagic = 0x9123683E;

enum class Phase { open, committed, rolled_back };

}  // namespace

struct CommitState {
  std::filesystem::path target;
  ResolvedTarget resolved;
  std::filesystem::path resolved_full;
  CommitOptions options;
  TempFile temp;
  std::string buffer;
  std::uint64_t size = 0;
  Phase phase = Phase::open;

  [[noreturn]] void fail(const std::string& operation, const std::string& detail, int error) {
    roll_back();
    throw FileWriteError(operation, resolved_full, detail, os_error(error));
  }

  void roll_back() noexcept {
    if (phase != Phase::open) return;
    phase = Phase::rolled_back;
    // Only a name we created and have not renamed is ours to remove; after a rename the name
    // may already belong to another writer.
    if (!temp.name.empty()) file_system().unlink_at(resolved.directory_fd.get(), temp.name.c_str(), 0);
    temp.fd.reset();
    buffer.clear();
  }

  void write_all(const char* data, std::size_t length) {
    FileSystem& fs = file_system();
    while (length > 0) {
      ssize_t n = fs.write(temp.fd.get(), data, length);
      if (n < 0) fail("write", "writing the temporary file failed", errno);
      // A zero-byte write of a non-empty buffer is how some filesystems report exhaustion.
      if (n == 0) fail("write", "writing the temporary file made no progress", ENOSPC);
      data += n;
      length -= static_cast<std::size_t>(n);
    }
  }

  void flush() {
    if (buffer.empty()) return;
    write_all(buffer.data(), buffer.size());
    buffer.clear();
  }

  void copy_metadata_from(const struct stat& existing) {
    FileSystem& fs = file_system();
    // Owner first: chown clears set-uid/set-gid bits, which fchmod then restores. An
    // unprivileged process may not give a file away; keeping the owner is best effort.
    if (existing.st_uid != ::geteuid() || existing.st_gid != ::getegid()) {
      if (fs.fchown(temp.fd.get(), existing.st_uid, existing.st_gid) != 0) {
        if (errno != EPERM) fail("set owner of", "copying the owner to the temporary file failed", errno);
        // Still keep the group where we are a member of it; ignoring failure is the policy.
        fs.fchown(temp.fd.get(), static_cast<uid_t>(-1), existing.st_gid);
      }
    }
    if (fs.fchmod(temp.fd.get(), existing.st_mode & 07777) != 0)
      fail("set mode of", "copying permission bits to the temporary file failed", errno);
  }

  void copy_existing_content() {
    FileSystem& fs = file_system();
    // O_NONBLOCK: should a FIFO have taken the name since the constructor checked, opening it
    // must not wait for a writer; the fstat below then refuses it.
    UniqueFd source(fs.open_at(resolved.directory_fd.get(), resolved.name.c_str(),
                               O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0));
    if (!source.valid()) {
      if (errno == ENOENT) return;
      fail("open for append", "reading the existing content failed", errno);
    }
    struct stat info {};
    if (fs.fstat(source.get(), &info) != 0) fail("stat", "", errno);
    if (!S_ISREG(info.st_mode))
      fail("open for append", "the target is " + describe_file_type(info.st_mode) + ", not a regular file", EINVAL);
    // A reflink shares extents: O(1) and no extra space on btrfs/XFS.
    if (info.st_size > 0 && fs.clone_file(temp.fd.get(), source.get()) == 0) {
      if (::lseek(temp.fd.get(), 0, SEEK_END) < 0) fail("seek", "", errno);
      size = static_cast<std::uint64_t>(info.st_size);
      return;
    }
    bool use_copy_file_range = true;
    for (;;) {
      ssize_t n = -1;
      if (use_copy_file_range) {
        n = fs.copy_file_range(source.get(), temp.fd.get(), 1 << 30);
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
          use_copy_file_range = false;
          continue;
        }
        if (n < 0) fail("copy existing content of", "", errno);
      } else {
        char chunk[kBufferSize];
        n = fs.read(source.get(), chunk, sizeof chunk);
        if (n < 0) fail("read existing content of", "", errno);
        write_all(chunk, static_cast<std::size_t>(n));
      }
      if (n == 0) return;
      size += static_cast<std::uint64_t>(n);
    }
  }

  void link_unnamed_temp() {
    FileSystem& fs = file_system();
    const std::string proc_path = "/proc/self/fd/" + std::to_string(temp.fd.get());
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string name = temp_file_name(resolved.name);
      // Through /proc because linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH.
      int linked = fs.link_at(AT_FDCWD, proc_path.c_str(), resolved.directory_fd.get(), name.c_str(),
                              AT_SYMLINK_FOLLOW);
      if (linked != 0 && errno == ENOENT)  // /proc is not mounted: try the privileged form.
        linked = fs.link_at(temp.fd.get(), "", resolved.directory_fd.get(), name.c_str(), AT_EMPTY_PATH);
      if (linked == 0) {
        temp.name = std::move(name);
        return;
      }
      if (errno != EEXIST) fail("link temporary file for", "", errno);
    }
    fail("link temporary file for", "no free temporary name", EEXIST);
  }
};

}  // namespace detail

using detail::Phase;

namespace {

detail::ResolvedTarget resolve_for_commit(const std::filesystem::path& target) {
  detail::Resolution resolution = detail::resolve_target(target);
  if (!resolution.ok()) throw FileWriteError("resolve", target, resolution.problem, detail::os_error(resolution.error));
  return std::move(resolution.target);
}

}  // namespace

AtomicWriter::AtomicWriter(std::filesystem::path target, CommitOptions options)
    : AtomicWriter(target, resolve_for_commit(target), options) {}

AtomicWriter::AtomicWriter(std::filesystem::path target, detail::ResolvedTarget&& resolved, CommitOptions options)
    : state_(std::make_unique<detail::CommitState>()) {
  detail::CommitState& s = *state_;
  s.target = std::move(target);
  s.options = options;
  s.resolved = std::move(resolved);
  s.resolved_full = s.resolved.full();
  detail::sweep_stale_temp_files(s.resolved.directory_fd.get(), s.resolved.directory.string());

  detail::FileSystem& fs = detail::file_system();
  struct stat existing {};
  bool exists = fs.fstat_at(s.resolved.directory_fd.get(), s.resolved.name.c_str(), &existing,
                            AT_SYMLINK_NOFOLLOW) == 0;
  // Checked again here, under the caller's lock: the rename would replace whatever the name
  // holds, and a device node or FIFO replaced by a regular file (mode 0666 from its own) is
  // damage, not a write.
  if (exists && !S_ISREG(existing.st_mode))
    throw FileWriteError("write", s.resolved_full,
                         "the target is " + detail::describe_file_type(existing.st_mode) +
                             "; atomicio replaces only regular files",
                         detail::os_error(S_ISDIR(existing.st_mode) ? EISDIR : EINVAL));

  s.temp = detail::create_temp_file(s.resolved.directory_fd.get(), s.resolved.name);
  if (!s.temp.fd.valid())
    throw FileWriteError("create temporary file for", s.resolved_full, "", detail::os_error());
  // The new file keeps the old one's permissions and owner; a new file keeps the mode open()
  // gave the temp (0666 minus umask, or the directory's default ACL).
  if (exists) s.copy_metadata_from(existing);
  if (options.mode == WriteMode::append) s.copy_existing_content();
}

AtomicWriter::AtomicWriter(AtomicWriter&&) noexcept = default;
AtomicWriter& AtomicWriter::operator=(AtomicWriter&& other) noexcept {
  if (this != &other) {
    abort();
    state_ = std::move(other.state_);
  }
  return *this;
}

AtomicWriter::~AtomicWriter() { abort(); }

void AtomicWriter::write(std::string_view bytes) {
  detail::CommitState& s = *state_;
  if (s.phase != Phase::open)
    throw FileWriteError("write", s.resolved_full, "the writer was already committed or rolled back");
  s.size += bytes.size();
  if (s.buffer.size() + bytes.size() < detail::kBufferSize) {
    s.buffer.append(bytes);
    return;
  }
  s.flush();
  if (bytes.size() >= detail::kBufferSize) s.write_all(bytes.data(), bytes.size());
  else s.buffer.append(bytes);
}

void AtomicWriter::commit() {
  detail::CommitState& s = *state_;
  if (s.phase != Phase::open)
    throw FileWriteError("commit", s.resolved_full, "the writer was already committed or rolled back");
  detail::FileSystem& fs = detail::file_system();
  const bool durable = s.options.durability == Durability::full;
  s.flush();
  // Without this fsync a crash after the rename can leave a zero-length or partial file: the
  // rename may reach the disk before the data does. A failed fsync is never retried: Linux may
  // already have dropped the dirty pages, so a retry could "succeed" over lost data.
  if (durable && fs.fsync(s.temp.fd.get()) != 0) s.fail("fsync", "flushing the temporary file failed", errno);
  if (s.temp.name.empty()) {
    s.link_unnamed_temp();
    // btrfs may ignore an fsync on an O_TMPFILE inode until it has a name.
    if (durable && fs.filesystem_type(s.temp.fd.get()) == detail::kBtrfsMagic &&
        fs.fsync(s.temp.fd.get()) != 0)
      s.fail("fsync", "flushing the linked temporary file failed", errno);
  }
  // The atomic step: readers see the old inode or the new one, never a mix.
  if (fs.rename_at(s.resolved.directory_fd.get(), s.temp.name.c_str(), s.resolved.directory_fd.get(),
                   s.resolved.name.c_str()) != 0)
    s.fail("rename", "replacing the target with the temporary file failed", errno);
  s.phase = Phase::committed;
  s.temp.fd.reset();
  // Without the directory fsync the rename itself may be lost in a crash and the old file
  // reappear. It is opened O_RDONLY: O_WRONLY on a directory fails with EISDIR.
  if (durable && fs.fsync(s.resolved.directory_fd.get()) != 0)
    throw FileWriteError("fsync directory of", s.resolved_full,
                         "the new content is in place but may not survive a crash", detail::os_error());
}

void AtomicWriter::abort() noexcept {
  if (state_) state_->roll_back();
}

const std::filesystem::path& AtomicWriter::target() const noexcept { return state_->target; }
const std::filesystem::path& AtomicWriter::resolved_target() const noexcept {
  return state_->resolved_full;
}
std::uint64_t AtomicWriter::size() const noexcept { return state_->size; }
bool AtomicWriter::committed() const noexcept { return state_->phase == Phase::committed; }

}  // namespace atomicio
