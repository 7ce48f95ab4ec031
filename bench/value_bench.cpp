// Parse-time benchmark for atomicio::Value against nlohmann::json (std::map objects) and
// nlohmann::ordered_json (scanning vector objects). The flat-object cases check that parsing stays
// linear in the number of keys; the complexity fit in the report shows it. The records case checks
// that the many small objects of a typical document do not pay for the large-object machinery.
#include <atomicio/value.hpp>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace {

// {"key0":0,"key1":1,...}: the shape on which an object type that scans on insert goes quadratic.
std::string flat_object_text(std::int64_t key_count) {
  std::string text = "{";
  for (std::int64_t i = 0; i < key_count; ++i) {
    if (i != 0) text += ',';
    text += "\"key" + std::to_string(i) + "\":" + std::to_string(i);
  }
  text += '}';
  return text;
}

// An array of small records, the shape of most real documents.
std::string records_text(std::int64_t record_count) {
  std::string text = "[";
  for (std::int64_t i = 0; i < record_count; ++i) {
    if (i != 0) text += ',';
    const std::string n = std::to_string(i);
    text += R"({"id":)" + n + R"(,"name":"record )" + n +
            R"(","tags":["a","b"],"enabled":true,"score":)" + n + ".5}";
  }
  text += ']';
  return text;
}

// Times parse plus destruction of the result: both are part of reading a document.
template <class Json>
void parse_text(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    Json parsed = Json::parse(text);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
  state.SetComplexityN(state.range(0));
}

template <class Json>
void parse_flat_object(benchmark::State& state) {
  parse_text<Json>(state, flat_object_text(state.range(0)));
}

template <class Json>
void parse_records(benchmark::State& state) {
  parse_text<Json>(state, records_text(state.range(0)));
}

}  // namespace

BENCHMARK_TEMPLATE(parse_flat_object, atomicio::Value)
    ->RangeMultiplier(10)
    ->Range(1'000, 1'000'000)
    ->Complexity(benchmark::oN)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(parse_flat_object, nlohmann::json)
    ->RangeMultiplier(10)
    ->Range(1'000, 1'000'000)
    ->Complexity(benchmark::oN)
    ->Unit(benchmark::kMicrosecond);
// Quadratic, so capped at 16Ki keys and fitted against N^2: the RMS shows how well that fits.
// (oAuto is at the mercy of noise on so few points and has reported N lg N.)
BENCHMARK_TEMPLATE(parse_flat_object, nlohmann::ordered_json)
    ->RangeMultiplier(2)
    ->Range(1 << 10, 1 << 14)
    ->Complexity(benchmark::oNSquared)
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_TEMPLATE(parse_records, atomicio::Value)->Arg(10'000)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(parse_records, nlohmann::json)->Arg(10'000)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(parse_records, nlohmann::ordered_json)
    ->Arg(10'000)
    ->Unit(benchmark::kMicrosecond);
