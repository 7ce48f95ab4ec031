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
#include <string_view>
#include <utility>
#include <vector>

namespace atomicio {

namespace detail {

namespace {

constexpr std::size_t kBufferSize = 64 * 1024;

enum class Phase { open, committed, rolled_back };

}  // namespace

struct CommitState {
  std::filesystem::path target;
  ResolvedTarget resolved;
  std::filesystem::path resolved_full;
  CommitOptions options;
  TempFile temp;
  struct stat existing {};
  bool has_existing = false;
  UniqueFd existing_fd;  ///< the target being replaced, for its metadata and append's content
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
    // may already belong to another writer. Unlinked before the close, which drops the lock
    // that tells the sweep this writer is alive.
    if (!temp.name.empty()) file_system().unlink_at(resolved.directory_fd.get(), temp.name.c_str(), 0);
    temp.fd.reset();
    existing_fd.reset();
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

  // Opened while the writer is made, so the commit copies the metadata of the file it replaces
  // without resolving its name again. A writer that may not read the file (a write-only file)
  // still keeps its owner and mode from `existing`, but cannot read its extended attributes.
  void open_existing(const struct stat& info) {
    existing = info;
    has_existing = true;
    // Opening a device can act on it (a tape rewinds); only a regular file is read.
    if (!S_ISREG(info.st_mode)) return;
    existing_fd.reset(file_system().open_at(resolved.directory_fd.get(), resolved.name.c_str(),
                                            O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0));
    if (!existing_fd.valid() && errno != EACCES && errno != ENOENT)
      fail("open", "reading the target's metadata failed", errno);
  }

  // Runs after the last write to the temp: a write by a process without CAP_FSETID clears the
  // set-uid bit and the set-gid bit (with group execute), and any write removes file
  // capabilities (security.capability). chown clears both too, hence owner, then extended
  // attributes, then mode.
  void apply_metadata() {
    if (!has_existing) return;
    FileSystem& fs = file_system();
    if (existing_fd.valid() && fs.fstat(existing_fd.get(), &existing) != 0)
      fail("stat", "reading the target's metadata failed", errno);
    // An unprivileged process may not give a file away; keeping the owner is best effort.
    if (existing.st_uid != ::geteuid() || existing.st_gid != ::getegid()) {
      if (fs.fchown(temp.fd.get(), existing.st_uid, existing.st_gid) != 0) {
        if (errno != EPERM) fail("set owner of", "copying the owner to the temporary file failed", errno);
        // Still keep the group where we are a member of it; ignoring failure is the policy.
        fs.fchown(temp.fd.get(), static_cast<uid_t>(-1), existing.st_gid);
      }
    }
    copy_xattrs();
    // Last: it also sets the ACL mask (the group bits) to the old file's.
    if (fs.fchmod(temp.fd.get(), existing.st_mode & 07777) != 0)
      fail("set mode of", "copying permission bits to the temporary file failed", errno);
  }

  // Dropping an ACL can widen access as well as narrow it (without it the group bits, which held
  // the ACL mask, apply to the owning group), so a failure is an error, except where keeping the
  // attribute is impossible rather than failed: the filesystem or namespace does not support it
  // (ENOTSUP), it vanished meanwhile (ENODATA), or it is in a privileged namespace (security.*,
  // trusted.*) the writer may not set (EPERM, EACCES), as cp -a also goes on without it.
  void copy_xattrs() {
    if (!existing_fd.valid()) return;
    FileSystem& fs = file_system();
    // The temp inherited the directory's default ACL, if it has one; the old file's ACL (or its
    // having none) is what the new file must have, as with cp -a.
    if (fs.remove_xattr(temp.fd.get(), "system.posix_acl_access") != 0 && errno != ENODATA && errno != ENOTSUP)
      fail("copy extended attributes of", "removing the inherited ACL from the temporary file failed", errno);
    std::vector<XattrFailure> failures;
    if (fs.copy_xattrs(existing_fd.get(), temp.fd.get(), failures) == 0) return;
    for (const XattrFailure& failure : failures) {
      const std::string_view name = failure.name;
      const bool must_keep = name.empty() || name.rfind("user.", 0) == 0 || name.rfind("system.", 0) == 0;
      if (failure.error == ENOTSUP || failure.error == ENODATA) continue;
      if (!must_keep && (failure.error == EPERM || failure.error == EACCES)) continue;
      fail("copy extended attributes of",
           name.empty() ? "listing the target's extended attributes failed"
                        : "copying extended attribute '" + failure.name + "' failed",
           failure.error);
    }
  }

  // Copies all of `source` from its offset into the temp; returns the bytes copied.
  std::uint64_t copy_content(int source, std::uint64_t size_hint) {
    FileSystem& fs = file_system();
    // A reflink shares extents: O(1) and no extra space on btrfs/XFS.
    if (size_hint > 0 && fs.clone_file(temp.fd.get(), source) == 0) {
      if (::lseek(temp.fd.get(), 0, SEEK_END) < 0) fail("seek", "", errno);
      return size_hint;
    }
    std::uint64_t copied = 0;
    bool use_copy_file_range = true;
    for (;;) {
      ssize_t n = -1;
      if (use_copy_file_range) {
        n = fs.copy_file_range(source, temp.fd.get(), 1 << 30);
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
          use_copy_file_range = false;
          continue;
        }
        if (n < 0) fail("copy existing content of", "", errno);
        // 0 is not proof of the end: FUSE, NFS and proc-like files may return 0 early (see
        // copy_file_range(2), "BUGS"). read() below has the last word.
        if (n == 0) {
          use_copy_file_range = false;
          continue;
        }
      } else {
        char chunk[kBufferSize];
        n = fs.read(source, chunk, sizeof chunk);
        if (n < 0) fail("read existing content of", "", errno);
        if (n == 0) return copied;
        write_all(chunk, static_cast<std::size_t>(n));
      }
      copied += static_cast<std::uint64_t>(n);
    }
  }

  void copy_existing_content() {
    FileSystem& fs = file_system();
    UniqueFd opened;
    int source = existing_fd.get();
    if (source < 0) {
      // O_NONBLOCK: should a FIFO have taken the name since the constructor checked, opening
      // it must not wait for a writer; the fstat below then refuses it.
      opened.reset(fs.open_at(resolved.directory_fd.get(), resolved.name.c_str(),
                              O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0));
      if (!opened.valid()) {
        if (errno == ENOENT) return;
        fail("open for append", "reading the existing content failed", errno);
      }
      source = opened.get();
    }
    struct stat info {};
    if (fs.fstat(source, &info) != 0) fail("stat", "", errno);
    if (!S_ISREG(info.st_mode)) {
      const FileTypeRefusal refusal = refuse_file_type(info.st_mode, "appends to");
      fail("open for append", refusal.detail, refusal.error);
    }
    size += copy_content(source, static_cast<std::uint64_t>(info.st_size));
  }

  // Gives the unnamed temp a name in the directory. Where neither link form works (no /proc
  // mounted, and linkat(AT_EMPTY_PATH) without CAP_DAC_READ_SEARCH before Linux 6.10; both
  // then fail with ENOENT), the content moves to a named temp instead of failing the commit.
  void name_temp() {
    FileSystem& fs = file_system();
    std::string name = link_unnamed_temp_file(resolved.directory_fd.get(), temp.fd.get(), resolved.name);
    if (!name.empty()) {
      temp.name = std::move(name);
      return;
    }
    if (errno != ENOENT && errno != EPERM) fail("link temporary file for", "", errno);
    struct stat info {};
    if (fs.fstat(temp.fd.get(), &info) != 0) fail("stat", "", errno);
    TempFile named = create_named_temp_file(resolved.directory_fd.get(), resolved.name, info.st_mode & 0777);
    if (!named.fd.valid()) fail("create temporary file for", "", errno);
    TempFile unnamed = std::exchange(temp, std::move(named));  // roll_back now removes the named one
    if (::lseek(unnamed.fd.get(), 0, SEEK_SET) < 0) fail("seek", "", errno);
    copy_content(unnamed.fd.get(), static_cast<std::uint64_t>(info.st_size));
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
  // Every commit sweeps its directory, so a dead writer's temp does not outlive the next commit.
  detail::sweep_dead_temp_files(s.resolved.directory_fd.get());

  detail::FileSystem& fs = detail::file_system();
  struct stat existing {};
  bool exists = fs.fstat_at(s.resolved.directory_fd.get(), s.resolved.name.c_str(), &existing,
                            AT_SYMLINK_NOFOLLOW) == 0;
  // Checked again here, under the caller's lock: the rename would replace whatever the name
  // holds, and a device node or FIFO replaced by a regular file (mode 0666 from its own) is
  // damage, not a write.
  if (exists && !S_ISREG(existing.st_mode)) {
    const detail::FileTypeRefusal refusal = detail::refuse_file_type(existing.st_mode, "replaces");
    throw FileWriteError("write", s.resolved_full, refusal.detail, detail::os_error(refusal.error));
  }

  // The temp of an existing file is private (0600) until commit() gives it the old file's
  // metadata; a new file keeps the mode open() gave the temp (0666 minus umask, or the
  // directory's default ACL).
  s.temp = detail::create_temp_file(s.resolved.directory_fd.get(), s.resolved.name, exists ? 0600 : 0666);
  if (!s.temp.fd.valid())
    throw FileWriteError("create temporary file for", s.resolved_full, "", detail::os_error());
  if (exists) s.open_existing(existing);
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
  // Named before the fsync, so the fsync covers a btrfs O_TMPFILE inode too (btrfs may ignore
  // an fsync of one that has no name yet).
  if (s.temp.name.empty()) s.name_temp();
  // After the last write to the temp, which would clear its set-id bits (see apply_metadata).
  s.apply_metadata();
  // Without this fsync a crash after the rename can leave a zero-length or partial file: the
  // rename may reach the disk before the data does. A failed fsync is never retried: Linux may
  // already have dropped the dirty pages, so a retry could "succeed" over lost data.
  if (durable && fs.fsync(s.temp.fd.get()) != 0) s.fail("fsync", "flushing the temporary file failed", errno);
  // The atomic step: readers see the old inode or the new one, never a mix.
  if (fs.rename_at(s.resolved.directory_fd.get(), s.temp.name.c_str(), s.resolved.directory_fd.get(),
                   s.resolved.name.c_str()) != 0)
    s.fail("rename", "replacing the target with the temporary file failed", errno);
  s.phase = Phase::committed;
  // Closing releases the temp's lock, now that its name is gone.
  s.temp.fd.reset();
  s.existing_fd.reset();
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
