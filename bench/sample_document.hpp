// The data the benchmarks read and write: an array of deterministic user records with strings,
// integers, doubles, booleans, a nested object and arrays (json_bench's document), and the
// reshapings the other formats need to hold it.
//
// Thread-safety: pure functions; call from any thread.
#pragma once

#include <atomicio/safe_file.hpp>
#include <atomicio/value.hpp>

#include <string>

namespace atomicio::bench {

/// Record `i`: id, uuid, name, email, active, score, balance, note (every tenth one with a quote,
/// a tab and non-ASCII text), tags (1 to 4 strings), address {street, city, zip}, history (6
/// unsigned integers).
Value sample_record(int i);

/// Options for the benchmarks' SafeFile writes: Durability::process_crash_only, so that fsync
/// latency (milliseconds, and noisy here) does not drown the CPU cost being compared.
FileOptions without_fsync();

/// An array of records 0 .. count-1.
Value sample_records(int count);

/// `record` with its nested object spread into `parent.child` columns and its arrays joined into
/// one space-separated string: what a CSV file can hold.
Value flattened(const Value& record);

/// A scalar's text as the CSV and XML plugins write it: integers in decimal, doubles in the
/// shortest form that reads back (std::to_chars), true/false, a string as it is, null as "".
std::string scalar_text(const Value& scalar);

/// `value` with every number and boolean replaced by its text, as the CSV and XML plugins read
/// it back (integers in decimal, doubles in the shortest form that reads back, true/false).
Value scalars_as_text(const Value& value);

}  // namespace atomicio::bench
