// Where serialized bytes go: the commit's temporary file, an encoder in front of it, or memory.
// Formats write into a ByteSink so that compression can sit between a serializer and the commit.
#pragma once

#include <atomicio/atomic_writer.hpp>

#include <string>
#include <string_view>

namespace atomicio::detail {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  /// Takes all of `bytes` or throws (FileWriteError for disk and codec failures).
  virtual void write(std::string_view bytes) = 0;
};

/// Into the temporary file of a commit.
class WriterSink final : public ByteSink {
 public:
  explicit WriterSink(AtomicWriter& writer) noexcept : writer_(writer) {}
  void write(std::string_view bytes) override { writer_.write(bytes); }

 private:
  AtomicWriter& writer_;
};

/// Into a string (dump_as, tests).
class StringSink final : public ByteSink {
 public:
  void write(std::string_view bytes) override { content_.append(bytes); }
  std::string& content() noexcept { return content_; }

 private:
  std::string content_;
};

}  // namespace atomicio::detail
