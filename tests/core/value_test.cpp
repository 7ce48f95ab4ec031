// Tests for atomicio::Value and the InsertionOrderedMap behind its objects: key order survives
// parsing, editing and dumping; lookups stay correct through every mutation, copy and move;
// equality ignores order; and large objects parse into a fully indexed map.
#include <atomicio/value.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <compare>
#include <cstddef>
#include <iterator>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using atomicio::Value;
using StringIntMap = atomicio::detail::InsertionOrderedMap<std::string, int>;

// Larger than the map's linear-scan limit, so tests on it exercise the hash index.
constexpr int kIndexedSize = 40;

std::vector<std::string> keys_of(const Value& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

Value numbered_object(int key_count) {
  Value object = Value::object();
  for (int i = 0; i < key_count; ++i) object["k" + std::to_string(i)] = i;
  return object;
}

// Every key is found, at the position iteration reports, holding the value stored there.
void require_lookups_consistent(const Value& object) {
  std::size_t position = 0;
  for (auto it = object.begin(); it != object.end(); ++it, ++position) {
    const auto found = object.find(it.key());
    REQUIRE(found != object.end());
    REQUIRE(std::distance(object.begin(), found) == static_cast<std::ptrdiff_t>(position));
    REQUIRE(*found == it.value());
  }
}

// A key whose copies can be made to fail, to reach the map's exception paths without an allocator.
struct FragileKey {
  static inline int copies_allowed = -1;  // negative: unlimited

  explicit FragileKey(const char* text) : text_(text) {}
  FragileKey(const FragileKey& other) : text_(other.text_) {
    if (copies_allowed == 0) throw std::runtime_error("key copy failed");
    if (copies_allowed > 0) --copies_allowed;
  }
  FragileKey& operator=(const FragileKey&) = delete;
  ~FragileKey() = default;
  operator std::string_view() const noexcept { return text_; }

 private:
  std::string text_;
};

}  // namespace

TEST_CASE("Parsing and dumping keeps key order, nested objects included", "[value]") {
  const std::string text = R"({"z":1,"a":2,"m":{"y":1,"b":2},"list":[{"q":0,"c":1}]})";
  const Value value = Value::parse(text);
  CHECK(value.dump() == text);
  CHECK(keys_of(value) == std::vector<std::string>{"z", "a", "m", "list"});
  CHECK(keys_of(value["m"]) == std::vector<std::string>{"y", "b"});
}

TEST_CASE("Inserting through operator[], emplace and update appends new keys in order", "[value]") {
  Value value = Value::parse(R"({"b":1,"a":2})");
  value["z"] = 3;
  value.emplace("c", 4);
  value.update(Value::parse(R"({"a":20,"y":5})"));
  value["b"] = 10;  // existing key: new value, same place

  CHECK(value.dump() == R"({"b":10,"a":20,"z":3,"c":4,"y":5})");
  CHECK_FALSE(value.emplace("z", 99).second);
  CHECK(value["z"] == 3);
  require_lookups_consistent(value);
}

TEST_CASE("Erasing a key keeps the others findable and re-inserting it appends it", "[value]") {
  const int key_count = GENERATE(5, kIndexedSize);  // linear-scan and indexed maps
  Value value = numbered_object(key_count);
  const std::string middle = "k" + std::to_string(key_count / 2);

  CHECK(value.erase(middle) == 1);
  CHECK(value.erase(middle) == 0);
  CHECK(value.size() == static_cast<std::size_t>(key_count - 1));
  CHECK_FALSE(value.contains(middle));
  require_lookups_consistent(value);

  value[middle] = -1;
  CHECK(keys_of(value).back() == middle);
  CHECK(value[middle] == -1);
  require_lookups_consistent(value);

  value.erase(value.begin());  // iterator form
  CHECK_FALSE(value.contains("k0"));
  value.erase(std::next(value.begin()), std::next(value.begin(), 3));  // range form
  CHECK(value.size() == static_cast<std::size_t>(key_count - 3));
  CHECK(keys_of(value).front() == "k1");
  require_lookups_consistent(value);

  value.clear();
  CHECK(value.empty());
  CHECK_FALSE(value.contains("k1"));
  value["again"] = 1;
  CHECK(value.dump() == R"({"again":1})");
}

TEST_CASE("Lookups accept std::string_view and C strings", "[value]") {
  Value value = numbered_object(kIndexedSize);
  const std::string_view view = "k7";
  CHECK(value.contains(view));
  CHECK(value.at(view) == 7);
  CHECK(value.find("k8") != value.end());
  CHECK(value.value("k9", 0) == 9);
  CHECK(value.value("missing", 42) == 42);
  CHECK(value.erase(view) == 1);
  CHECK(value.count("k7") == 0);
}

TEST_CASE("Objects compare equal regardless of key order", "[value]") {
  const Value one = Value::parse(R"({"a":1,"b":{"x":true,"y":null},"c":[1,2]})");
  const Value two = Value::parse(R"({"c":[1,2],"b":{"y":null,"x":true},"a":1})");
  CHECK(one == two);
  CHECK_FALSE(one != two);
  CHECK(std::is_eq(one <=> two));
}

TEST_CASE("Objects differing in a value, a key or the key count are unequal", "[value]") {
  const Value base = Value::parse(R"({"a":1,"b":2})");
  CHECK(base != Value::parse(R"({"b":2,"a":3})"));
  CHECK(base != Value::parse(R"({"a":1,"b":2,"c":3})"));
  CHECK(base != Value::parse(R"({"a":1,"c":2})"));
  CHECK(base != Value::parse(R"({"a":1})"));
}

TEST_CASE("Objects order exactly as nlohmann::json orders them", "[value]") {
  const std::vector<std::string> texts = {
      R"({})", R"({"a":1})", R"({"a":2})", R"({"b":0})", R"({"b":1,"a":1})",
      R"({"a":1,"b":1})", R"({"a":1,"b":2})", R"({"a":1,"c":0})", R"({"a":{"x":1}})"};
  for (const auto& left : texts) {
    for (const auto& right : texts) {
      INFO(left << " vs " << right);
      const Value our_left = Value::parse(left);
      const Value our_right = Value::parse(right);
      const auto their_left = nlohmann::json::parse(left);
      const auto their_right = nlohmann::json::parse(right);
      CHECK((our_left <=> our_right) == (their_left <=> their_right));
      CHECK((our_left < our_right) == (their_left < their_right));
      CHECK((our_left == our_right) == (their_left == their_right));
    }
  }
}

TEST_CASE("Copies and moves keep lookups working and copies are independent", "[value]") {
  const int key_count = GENERATE(5, kIndexedSize);
  Value original = numbered_object(key_count);

  Value copy = original;
  copy["k1"] = "changed";
  copy["extra"] = true;
  copy.erase("k0");
  CHECK(original["k1"] == 1);
  CHECK(original.contains("k0"));
  CHECK_FALSE(original.contains("extra"));
  require_lookups_consistent(original);
  require_lookups_consistent(copy);

  Value assigned;
  assigned = copy;
  CHECK(assigned == copy);

  Value moved = std::move(copy);
  CHECK(moved["k1"] == "changed");
  CHECK(moved.contains("extra"));
  require_lookups_consistent(moved);
}

TEST_CASE("A moved-from map is empty and usable", "[value]") {
  StringIntMap map{{"a", 1}, {"b", 2}};
  StringIntMap taken = std::move(map);
  CHECK(taken.at("b") == 2);
  CHECK(map.empty());  // NOLINT(bugprone-use-after-move): documented state
  map["c"] = 3;
  CHECK(map.find("c") != map.end());
  CHECK(map.find("a") == map.end());
}

TEST_CASE("Emplacing a value that refers into the same map survives reallocation", "[value]") {
  StringIntMap map;
  for (int i = 0; i < 100; ++i) {
    const int& first = map.empty() ? i : map.begin()->second;
    map.emplace("k" + std::to_string(i), first);
  }
  for (const auto& entry : map) CHECK(entry.second == 0);
}

TEST_CASE("A 100000-key object parses with every key found at its position", "[value]") {
  constexpr int kKeyCount = 100000;
  std::string text = "{";
  for (int i = 0; i < kKeyCount; ++i) {
    if (i != 0) text += ',';
    text += "\"key" + std::to_string(i) + "\":" + std::to_string(i);
  }
  text += '}';

  const Value value = Value::parse(text);
  REQUIRE(value.size() == static_cast<std::size_t>(kKeyCount));
  // Counted rather than asserted per key: 400000 assertions would dominate the run time.
  int misplaced = 0;
  int position = 0;
  for (auto it = value.begin(); it != value.end(); ++it, ++position) {
    const std::string key = "key" + std::to_string(position);
    const auto found = value.find(key);
    if (it.key() != key || found != it || *found != position) ++misplaced;
  }
  CHECK(misplaced == 0);
  CHECK(value.dump() == text);
}

TEST_CASE("A duplicate key keeps its first position and takes its last value", "[value]") {
  const Value value = Value::parse(R"({"a":1,"b":2,"a":{"x":3}})");
  CHECK(value.size() == 2);
  CHECK(value.dump() == R"({"a":{"x":3},"b":2})");
}

TEST_CASE("at() on a missing key throws nlohmann's out_of_range", "[value]") {
  Value value = Value::parse(R"({"present":1})");
  const Value& constant = value;
  CHECK_THROWS_AS(value.at("absent"), Value::out_of_range);
  CHECK_THROWS_AS(constant.at(std::string("absent")), Value::out_of_range);
  CHECK_THROWS_AS(StringIntMap{}.at("absent"), std::out_of_range);
}

TEST_CASE("Conversions to and from standard maps work", "[value]") {
  const std::map<std::string, int> standard{{"b", 2}, {"a", 1}};
  const Value value = standard;
  CHECK(value.dump() == R"({"a":1,"b":2})");
  CHECK(value.get<std::map<std::string, int>>() == standard);
  const auto object = value.get<Value::object_t>();
  CHECK(object.at("b") == 2);
}

TEST_CASE("Random inserts and erases agree with a simple reference model", "[value]") {
  std::mt19937 random(12345);  // fixed seed: failures must reproduce
  StringIntMap map;
  std::vector<std::pair<std::string, int>> model;
  const auto model_find = [&model](const std::string& key) {
    return std::find_if(model.begin(), model.end(),
                        [&key](const auto& entry) { return entry.first == key; });
  };

  for (int step = 0; step < 5000; ++step) {
    const std::string key = "k" + std::to_string(random() % 200);
    const auto action = random() % 10;
    CHECK(map.contains(key) == (model_find(key) != model.end()));
    if (action < 6) {
      const int value = step;
      const bool inserted = map.emplace(key, value).second;
      CHECK(inserted == (model_find(key) == model.end()));
      if (inserted) model.emplace_back(key, value);
    } else if (action < 9) {
      const auto in_model = model_find(key);
      CHECK(map.erase(key) == (in_model == model.end() ? 0U : 1U));
      if (in_model != model.end()) model.erase(in_model);
    } else if (!model.empty()) {
      const auto first = static_cast<std::ptrdiff_t>(random() % model.size());
      const auto last =
          std::min<std::ptrdiff_t>(first + 3, static_cast<std::ptrdiff_t>(model.size()));
      map.erase(map.begin() + first, map.begin() + last);
      model.erase(model.begin() + first, model.begin() + last);
    }

    INFO("step " << step);
    REQUIRE(map.size() == model.size());
    bool consistent = true;
    for (std::size_t i = 0; i < model.size(); ++i) {
      const auto found = map.find(model[i].first);
      consistent = consistent && found == map.begin() + static_cast<std::ptrdiff_t>(i) &&
                   found->second == model[i].second;
    }
    REQUIRE(consistent);
  }
}

TEST_CASE("A key copy that fails while growing or erasing leaves the map unchanged", "[value]") {
  atomicio::detail::InsertionOrderedMap<FragileKey, int> map;
  for (const char* key : {"a", "b", "c", "d"}) map.emplace(key, static_cast<int>(map.size()));
  const auto require_unchanged = [&map] {
    REQUIRE(map.size() == 4);
    int position = 0;
    for (const char* key : {"a", "b", "c", "d"}) {
      const auto found = map.find(key);
      REQUIRE(found == map.begin() + position);
      REQUIRE(found->second == position);
      ++position;
    }
  };

  FragileKey::copies_allowed = 2;  // growth relocates 4 keys
  CHECK_THROWS_AS(map.emplace("e", 4), std::runtime_error);
  FragileKey::copies_allowed = -1;
  require_unchanged();

  FragileKey::copies_allowed = 1;  // erasing "b" relocates 3 keys
  CHECK_THROWS_AS(map.erase("b"), std::runtime_error);
  FragileKey::copies_allowed = -1;
  require_unchanged();

  CHECK(map.emplace("e", 4).second);
  CHECK(map.erase("b") == 1);
  CHECK(map.find("e") == map.begin() + 3);
}
