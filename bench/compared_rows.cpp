#include "compared_rows.hpp"

#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <memory>

namespace atomicio::bench {

void register_group(OperationGroup group) {
  auto shared = std::make_shared<const OperationGroup>(std::move(group));
  for (std::size_t i = 0; i < shared->names.size(); ++i) {
    benchmark::RegisterBenchmark(
        (shared->prefix + shared->names[i]).c_str(),
        [shared, i](benchmark::State& state) {
          Operation operation = std::move(shared->make().at(i));
          operation.run();  // first-use costs: plugin loading, the allocator settling, the target appearing
          for (auto _ : state) operation.run();
          state.SetBytesProcessed(state.iterations() * shared->bytes());
          if (operation.check) state.counters[operation.check_name] = operation.check() ? 1 : 0;
        })
        ->Unit(benchmark::kMillisecond)
        ->Iterations(shared->iterations);
  }
  benchmark::RegisterBenchmark((shared->prefix + "Interleaved").c_str(),
                               [shared](benchmark::State& state) {
                                 std::vector<Operation> operations = shared->make();
                                 Interleaved interleaved;
                                 for (const Operation& operation : operations)
                                   interleaved.add(operation.name, operation.run);
                                 interleaved.run(state);
                                 interleaved.report(state, shared->ratios);
                                 bool checks_pass = true;
                                 for (const Operation& operation : operations)
                                   checks_pass = checks_pass && (!operation.check || operation.check());
                                 state.counters["checks_pass"] = checks_pass ? 1 : 0;
                               })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(shared->rounds);
}

}  // namespace atomicio::bench
