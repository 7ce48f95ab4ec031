// Compressing and decompressing a few MB of JSON text (sample_records(8000) pretty-printed, as
// format_bench's data.json) with the gzip, bz2 and xz codec plugins, next to zlib, libbz2 and
// liblzma called directly at the same level (gzip 6, bz2 9, xz 6: each plugin's default).
// Rows, per codec C:
//
//   Compress/C/Library              one call of the library, memory to memory: deflate (gzip
//                                   wrapper) into a deflateBound() buffer, BZ2_bzBuffToBuffCompress,
//                                   lzma_easy_buffer_encode (CRC64 check, as xz(1) and the plugin)
//   Compress/C/DumpAs               atomicio::dump_as("data.txt.C", text): format.text plus the
//                                   codec pipeline, memory to memory
//   Compress/C/BareReplace          Library + write a temp file + rename, no fsync
//   Compress/C/SafeFileWriteBytes   SafeFile("data.bin.C").write_bytes(text), process_crash_only
//   Decompress/C/Library            inflate, BZ2_bzBuffToBuffDecompress, lzma_stream_buffer_decode,
//                                   into a buffer of the known decompressed size (the best case)
//   Decompress/C/ParseAs            atomicio::parse_as("data.txt.C", compressed)
//   Decompress/C/SlurpLibrary       std::ifstream + Library
//   Decompress/C/SafeFileReadBytes  SafeFile("data.bin.C").read_bytes()
//
// and, as the scale of the I/O and commit alone, Compress/plain/{BareReplace,SafeFileWriteBytes}
// and Decompress/plain/{Slurp,SafeFileReadBytes} on the uncompressed text; plus, per group, an
// Interleaved row running them all in every iteration (compared_rows.hpp), whose ratios the
// README quotes. All rows are timed in CPU time: files are in the page cache and nothing waits
// on fsync.
#include "bench_support.hpp"
#include "compared_rows.hpp"
#include "sample_document.hpp"

#include <atomicio/formats.hpp>
#include <atomicio/safe_file.hpp>

#include <benchmark/benchmark.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using atomicio::Value;
using atomicio::bench::Operation;
using atomicio::bench::slurp;

[[noreturn]] void fail(const char* what, long status) {
  std::fprintf(stderr, "codec_bench: %s failed (%ld)\n", what, status);
  std::exit(2);
}

std::string gzip_compress(std::string_view text, int level) {
  z_stream z{};
  if (int s = deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY); s != Z_OK) fail("deflateInit2", s);
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (int s = deflate(&z, Z_FINISH); s != Z_STREAM_END) fail("deflate", s);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string gzip_decompress(std::string_view data, std::size_t size) {
  z_stream z{};
  if (int s = inflateInit2(&z, 15 + 16); s != Z_OK) fail("inflateInit2", s);
  std::string out(size, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (int s = inflate(&z, Z_FINISH); s != Z_STREAM_END) fail("inflate", s);
  inflateEnd(&z);
  return out;
}

std::string bz2_compress(std::string_view text, int level) {
  // libbzip2's documented worst case: 1 % larger plus 600 bytes.
  std::string out(text.size() + text.size() / 100 + 600, '\0');
  auto size = static_cast<unsigned int>(out.size());
  if (int s = BZ2_bzBuffToBuffCompress(out.data(), &size, const_cast<char*>(text.data()),
                                       static_cast<unsigned int>(text.size()), level, 0, 0);
      s != BZ_OK)
    fail("BZ2_bzBuffToBuffCompress", s);
  out.resize(size);
  return out;
}

std::string bz2_decompress(std::string_view data, std::size_t size) {
  std::string out(size, '\0');
  auto produced = static_cast<unsigned int>(out.size());
  if (int s = BZ2_bzBuffToBuffDecompress(out.data(), &produced, const_cast<char*>(data.data()),
                                         static_cast<unsigned int>(data.size()), 0, 0);
      s != BZ_OK)
    fail("BZ2_bzBuffToBuffDecompress", s);
  out.resize(produced);
  return out;
}

std::string xz_compress(std::string_view text, int level) {
  std::string out(lzma_stream_buffer_bound(text.size()), '\0');
  std::size_t size = 0;
  if (lzma_ret s = lzma_easy_buffer_encode(static_cast<std::uint32_t>(level), LZMA_CHECK_CRC64, nullptr,
                                           reinterpret_cast<const std::uint8_t*>(text.data()), text.size(),
                                           reinterpret_cast<std::uint8_t*>(out.data()), &size, out.size());
      s != LZMA_OK)
    fail("lzma_easy_buffer_encode", s);
  out.resize(size);
  return out;
}

std::string xz_decompress(std::string_view data, std::size_t size) {
  std::string out(size, '\0');
  std::uint64_t memory_limit = UINT64_MAX;
  std::size_t in_position = 0;
  std::size_t out_position = 0;
  if (lzma_ret s = lzma_stream_buffer_decode(
          &memory_limit, 0, nullptr, reinterpret_cast<const std::uint8_t*>(data.data()), &in_position, data.size(),
          reinterpret_cast<std::uint8_t*>(out.data()), &out_position, out.size());
      s != LZMA_OK)
    fail("lzma_stream_buffer_decode", s);
  out.resize(out_position);
  return out;
}

struct CodecCase {
  std::string name;
  std::string suffix;
  int level;
  std::string (*compress)(std::string_view text, int level);
  std::string (*decompress)(std::string_view data, std::size_t size);
  int compress_iterations;
  int decompress_iterations;
};

const CodecCase kCodecs[] = {
    {"gzip", ".gz", 6, gzip_compress, gzip_decompress, 10, 20},
    {"bz2", ".bz2", 9, bz2_compress, bz2_decompress, 4, 9},
    {"xz", ".xz", 6, xz_compress, xz_decompress, 3, 20},
};

const std::string& text() {
  static const std::string json = atomicio::bench::sample_records(8000).dump(2) + "\n";
  return json;
}

// Per codec, made once: the compressed file as SafeFile wrote it, and its bytes.
struct Fixture {
  std::filesystem::path file;
  std::string compressed;
};

const Fixture& fixture(const CodecCase& codec) {
  static std::map<std::string, Fixture> fixtures;
  auto [slot, added] = fixtures.try_emplace(codec.name);
  if (added) {
    slot->second.file = atomicio::bench::fresh_dir("fixture-" + codec.name) / ("data.bin" + codec.suffix);
    atomicio::SafeFile(slot->second.file).write_bytes(text());
    slot->second.compressed = slurp(slot->second.file);
  }
  return slot->second;
}

atomicio::SafeFile scratch_file(const std::string& name) {
  return atomicio::SafeFile(atomicio::bench::fresh_dir("safefile") / name, atomicio::Timeout::infinite(),
                            atomicio::bench::without_fsync());
}

// An operation producing bytes that must equal the text.
Operation decoding(const char* name, std::function<std::string()> decode) {
  auto out = std::make_shared<std::string>();
  return {name, [out, decode] { *out = decode(); }, "same_bytes", [out] { return *out == text(); }};
}

std::vector<Operation> compress_operations(const CodecCase& c) {
  const std::string compressed_name = "data.bin" + c.suffix;
  auto library = std::make_shared<std::string>();
  auto dumped = std::make_shared<std::string>();
  auto value = std::make_shared<const Value>(text());
  auto bare = std::make_shared<atomicio::bench::OpenDirectory>("bare-" + c.name);
  auto file = std::make_shared<atomicio::SafeFile>(scratch_file(compressed_name));
  return {
      // gzip and bz2 give the plugin's bytes exactly; xz's buffer encoder also records the block's
      // sizes in its header (8 bytes more), so the check is that atomicio reads it.
      {"Library", [library, &c] { *library = c.compress(text(), c.level); }, "atomicio_decodes_it",
       [library, &c] { return atomicio::parse_as("data.txt" + c.suffix, *library) == text(); }},
      {"DumpAs", [dumped, value, &c] { *dumped = atomicio::dump_as("data.txt" + c.suffix, *value); },
       "library_decodes_it", [dumped, &c] { return c.decompress(*dumped, text().size()) == text(); }},
      {"BareReplace",
       [bare, compressed_name, &c] {
         atomicio::bench::replace_without_fsync(bare->fd(), compressed_name, c.compress(text(), c.level));
       }},
      {"SafeFileWriteBytes", [file] { file->write_bytes(text()); }, "library_decodes_it",
       [file, &c] { return c.decompress(slurp(file->path()), text().size()) == text(); }},
  };
}

std::vector<Operation> decompress_operations(const CodecCase& c) {
  auto file = std::make_shared<atomicio::SafeFile>(fixture(c).file);
  return {
      decoding("Library", [&c] { return c.decompress(fixture(c).compressed, text().size()); }),
      decoding("ParseAs",
               [&c] { return atomicio::parse_as("data.txt" + c.suffix, fixture(c).compressed).get<std::string>(); }),
      decoding("SlurpLibrary", [&c] { return c.decompress(slurp(fixture(c).file), text().size()); }),
      decoding("SafeFileReadBytes", [file] { return file->read_bytes().value(); }),
  };
}

const std::filesystem::path& plain_fixture() {
  static const std::filesystem::path path = [] {
    auto file = atomicio::bench::fresh_dir("fixture-plain") / "data.bin";
    atomicio::SafeFile(file).write_bytes(text());
    return file;
  }();
  return path;
}

std::int64_t text_size() { return static_cast<std::int64_t>(text().size()); }

[[maybe_unused]] const bool kRegistered = [] {
  for (const CodecCase& c : kCodecs) {
    atomicio::bench::register_group({"Compress/" + c.name + "/",
                                     {"Library", "DumpAs", "BareReplace", "SafeFileWriteBytes"},
                                     [&c] { return compress_operations(c); },
                                     text_size,
                                     c.compress_iterations,
                                     c.compress_iterations,
                                     {{"DumpAs", "Library"}, {"SafeFileWriteBytes", "BareReplace"}}});
    atomicio::bench::register_group({"Decompress/" + c.name + "/",
                                     {"Library", "ParseAs", "SlurpLibrary", "SafeFileReadBytes"},
                                     [&c] { return decompress_operations(c); },
                                     text_size,
                                     c.decompress_iterations,
                                     c.decompress_iterations,
                                     {{"ParseAs", "Library"}, {"SafeFileReadBytes", "SlurpLibrary"}}});
  }
  atomicio::bench::register_group(
      {"Compress/plain/",
       {"BareReplace", "SafeFileWriteBytes"},
       [] {
         auto bare = std::make_shared<atomicio::bench::OpenDirectory>("bare-plain");
         auto file = std::make_shared<atomicio::SafeFile>(scratch_file("data.bin"));
         return std::vector<Operation>{
             {"BareReplace", [bare] { atomicio::bench::replace_without_fsync(bare->fd(), "data.bin", text()); }},
             {"SafeFileWriteBytes", [file] { file->write_bytes(text()); }, "same_bytes",
              [file] { return slurp(file->path()) == text(); }},
         };
       },
       text_size,
       20,
       20,
       {{"SafeFileWriteBytes", "BareReplace"}}});
  atomicio::bench::register_group({"Decompress/plain/",
                                   {"Slurp", "SafeFileReadBytes"},
                                   [] {
                                     auto file = std::make_shared<atomicio::SafeFile>(plain_fixture());
                                     return std::vector<Operation>{
                                         decoding("Slurp", [] { return slurp(plain_fixture()); }),
                                         decoding("SafeFileReadBytes", [file] { return file->read_bytes().value(); }),
                                     };
                                   },
                                   text_size,
                                   20,
                                   20,
                                   {{"SafeFileReadBytes", "Slurp"}}});
  return true;
}();

}  // namespace
