// atomicio::Value, the structured data type every format plugin reads into and writes from. It is
// an nlohmann::basic_json whose objects remember key insertion order, so that reading a config
// file, changing one entry and writing it back leaves the rest of the file in the order its author
// chose, while parsing stays linear in document size.
#pragma once

#include <nlohmann/json.hpp>

#include <atomicio/detail/insertion_ordered_map.hpp>

namespace atomicio {

/// The structured value every format reads into and writes from.
///
/// Value is nlohmann::basic_json with detail::InsertionOrderedMap as its object type, so the whole
/// nlohmann API (parse, dump, operator[], at, find, items(), get<T>(), to_json/from_json, ...)
/// applies unchanged. What differs from nlohmann::json (std::map objects):
///
/// - Key order: objects iterate, and therefore dump, in the order their keys were first
///   inserted; parsing inserts in document order, so parse followed by dump reproduces the key
///   order of the input at every nesting level. Assigning to an existing key keeps its position;
///   erasing a key and inserting it again appends it at the end.
/// - Duplicate keys in parsed input: the last value wins and the key keeps the position of its
///   first occurrence ({"a":1,"b":2,"a":3} dumps as {"a":3,"b":2}). This is nlohmann's parser
///   assigning through operator[]; it is not an error.
/// - Equality: order is preserved for round trips but is not part of a value's meaning. Objects
///   compare equal when they hold the same keys with equal values, in any order; <, <=> etc.
///   order objects exactly as nlohmann::json does (by key-sorted members).
/// - Cost: parsing is O(document size); key lookup and insertion are O(1) on average; erasing a
///   key from an object is O(size of that object).
/// - References: inserting a new key into an object may invalidate references and iterators to
///   that object's other members, exactly as growing an array does (`Value& a = v["a"];
///   v["new"] = 1;` may leave `a` dangling). Members of other objects are unaffected.
/// - JSON_DIAGNOSTICS must stay undefined: as with nlohmann::ordered_json, erasing from a
///   vector-backed object leaves nlohmann's diagnostic parent pointers stale and trips its
///   assertions.
///
/// Thread safety is nlohmann's: concurrent reads are fine, any write needs exclusive access.
using Value = nlohmann::basic_json<detail::InsertionOrderedMap>;

}  // namespace atomicio
