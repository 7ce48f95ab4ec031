// The object container behind atomicio::Value. nlohmann::basic_json takes its object type as a
// template-template parameter; this one iterates in insertion order, so rewriting a document does
// not reshuffle it, and finds and inserts keys in O(1) average time, so the parser, which inserts
// key by key, stays linear in document size. (nlohmann::ordered_map scans its whole vector on
// every insertion, which makes parsing a large object quadratic.)
#pragma once

#include <algorithm>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace atomicio::detail {

/// Key equality that nlohmann reads as the object type's `key_compare`.
///
/// basic_json offers its heterogeneous overloads (find, at, erase, contains, value, operator[]
/// taking std::string_view, const char*, ...) exactly for the key types this functor accepts.
/// Accepting only types convertible to std::string_view keeps those overloads in step with what
/// InsertionOrderedMap can hash. Never throws.
struct TransparentKeyEqual {
  using is_transparent = void;

  template <class Lhs, class Rhs>
    requires std::is_convertible_v<const Lhs&, std::string_view> &&
             std::is_convertible_v<const Rhs&, std::string_view>
  bool operator()(const Lhs& lhs, const Rhs& rhs) const noexcept {
    return std::string_view(lhs) == std::string_view(rhs);
  }
};

/// Open-addressing (linear probing) hash table from a key's hash to the key's position in its
/// owner's entry vector; the owner supplies key equality at lookup time.
///
/// It stores positions rather than keys: the keys already live in the entry vector, so nothing is
/// duplicated, and positions stay meaningful when the owner is copied or moved, where pointers into
/// another container would have to be re-seated. Each slot caches the full hash, so growing and
/// erasing never rehash a string and most probe mismatches are rejected without touching a key.
template <class Allocator>
class PositionIndex {
 public:
  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

  PositionIndex() = default;
  explicit PositionIndex(const Allocator& alloc) : slots_(SlotAllocator(alloc)) {}

  /// True while the table has no slots; the owner then scans its (small) entry vector instead.
  bool empty() const noexcept { return slots_.empty(); }

  /// Returns the recorded position p with hash `hash` for which `is_match(p)` holds, or kNotFound.
  /// `is_match` must not throw.
  template <class IsMatch>
  std::size_t find(std::size_t hash, IsMatch is_match) const noexcept {
    if (slots_.empty()) return kNotFound;
    for (std::size_t i = home_of(hash);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& slot = slots_[i];
      if (slot.position == kNotFound) return kNotFound;
      if (slot.hash == hash && is_match(slot.position)) return slot.position;
    }
  }

  /// Makes room for `total` positions so that insert() cannot fail or degrade.
  /// Strong guarantee: if allocation throws, the table is unchanged.
  void reserve(std::size_t total) {
    // Load stays at or below 3/4: linear probing degrades quickly beyond that.
    if (total * 4 <= slots_.size() * 3) return;
    std::size_t slot_count = kMinSlots;
    while (slot_count * 3 < total * 4) slot_count *= 2;
    PositionIndex bigger(slots_.get_allocator(), slot_count);
    for (const Slot& slot : slots_) {
      if (slot.position != kNotFound) bigger.insert(slot.hash, slot.position);
    }
    swap(bigger);
  }

  /// Records that the key with hash `hash` sits at `position`.
  /// Precondition: reserve() made room for it and no recorded key equals it.
  void insert(std::size_t hash, std::size_t position) noexcept {
    std::size_t i = home_of(hash);
    while (slots_[i].position != kNotFound) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = Slot{hash, position};
  }

  /// Returns the index matching the entry vector after erasing positions [first, last): those are
  /// dropped and later ones move down. May throw std::bad_alloc; *this is never modified.
  PositionIndex without(std::size_t first, std::size_t last) const {
    if (slots_.empty()) return PositionIndex(slots_.get_allocator());
    PositionIndex result(slots_.get_allocator(), slots_.size());
    for (const Slot& slot : slots_) {
      if (slot.position == kNotFound || (slot.position >= first && slot.position < last)) continue;
      const std::size_t gap = slot.position < first ? 0 : last - first;
      result.insert(slot.hash, slot.position - gap);
    }
    return result;
  }

  /// Forgets every position and releases the slots.
  void clear() noexcept {
    SlotVector(slots_.get_allocator()).swap(slots_);
    shift_ = 64;
  }

  void swap(PositionIndex& other) noexcept {
    slots_.swap(other.slots_);
    std::swap(shift_, other.shift_);
  }

 private:
  struct Slot {
    std::size_t hash;
    std::size_t position;  // kNotFound marks a free slot
  };
  using SlotAllocator = typename std::allocator_traits<Allocator>::template rebind_alloc<Slot>;
  using SlotVector = std::vector<Slot, SlotAllocator>;

  static constexpr std::size_t kMinSlots = 16;
  // 2^64 / golden ratio: Fibonacci hashing spreads weak hashes (e.g. identity) over all slots.
  static constexpr std::uint64_t kFibonacciMultiplier = 0x9E3779B97F4A7C15ULL;

  PositionIndex(const SlotAllocator& alloc, std::size_t slot_count)
      : slots_(slot_count, Slot{0, kNotFound}, alloc),
        shift_(64 - static_cast<unsigned>(std::countr_zero(slot_count))) {}

  std::size_t home_of(std::size_t hash) const noexcept {
    const std::uint64_t spread = static_cast<std::uint64_t>(hash) * kFibonacciMultiplier;
    return static_cast<std::size_t>(spread >> shift_);
  }

  SlotVector slots_;
  unsigned shift_ = 64;  // 64 - log2(slots_.size())
};

/// Associative container that iterates in insertion order and finds keys in O(1) average time;
/// the object type of atomicio::Value (see value.hpp). Usable as nlohmann::basic_json's ObjectType.
///
/// Contract, beyond ordinary map semantics:
/// - Iteration visits entries in the order their keys were first inserted. Assigning to an
///   existing key keeps its position; erasing a key and inserting it again puts it at the end.
/// - find, count, contains, at, operator[], emplace and insert take O(1) average time (amortised
///   for insertion); erase takes O(size()) time.
/// - As with std::vector, an insertion may invalidate every iterator and reference into the map,
///   and an erase invalidates all of them.
/// - Inserting one entry, and erasing, give the strong exception guarantee.
/// - Keys must be convertible to std::string_view; every lookup accepts any such type, so
///   const char* and std::string_view look up without building a Key.
/// - Equality ignores order: two maps are equal when they hold the same keys with equal values.
///   operator<=> orders maps as their key-sorted (key, value) sequences, as a std::map would, so
///   it agrees with ==. Both read order-insensitively because order is presentation only.
/// - IgnoredCompare is accepted to fit basic_json's ObjectType signature and is not used.
template <class Key, class T, class IgnoredCompare = std::less<>,
          class Allocator = std::allocator<std::pair<const Key, T>>>
class InsertionOrderedMap {
  static_assert(std::is_convertible_v<const Key&, std::string_view>,
                "InsertionOrderedMap hashes keys as std::string_view");

  using Storage = std::vector<std::pair<const Key, T>, Allocator>;
  using Index = PositionIndex<Allocator>;

 public:
  using key_type = Key;
  using mapped_type = T;
  using value_type = std::pair<const Key, T>;
  using key_compare = TransparentKeyEqual;  // nlohmann reads this; see TransparentKeyEqual
  using allocator_type = Allocator;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = value_type&;
  using const_reference = const value_type&;
  using iterator = typename Storage::iterator;
  using const_iterator = typename Storage::const_iterator;

  InsertionOrderedMap() = default;
  explicit InsertionOrderedMap(const Allocator& alloc) : entries_(alloc), index_(alloc) {}

  /// Inserts [first, last) in order; for repeated keys the first occurrence wins, as in insert().
  template <std::input_iterator It>
  InsertionOrderedMap(It first, It last, const Allocator& alloc = Allocator())
      : InsertionOrderedMap(alloc) {
    insert(first, last);
  }
  InsertionOrderedMap(std::initializer_list<value_type> init, const Allocator& alloc = Allocator())
      : InsertionOrderedMap(init.begin(), init.end(), alloc) {}

  InsertionOrderedMap(const InsertionOrderedMap&) = default;
  /// Leaves `other` empty.
  InsertionOrderedMap(InsertionOrderedMap&& other) noexcept
      : entries_(std::move(other.entries_)), index_(std::move(other.index_)) {
    other.clear();
  }
  // Copy-and-swap: a pair with a const key cannot be assigned, and entries and index must
  // change together.
  InsertionOrderedMap& operator=(const InsertionOrderedMap& other) {
    InsertionOrderedMap copy(other);
    swap(copy);
    return *this;
  }
  /// Leaves `other` empty.
  InsertionOrderedMap& operator=(InsertionOrderedMap&& other) noexcept {
    InsertionOrderedMap taken(std::move(other));
    swap(taken);
    return *this;
  }
  ~InsertionOrderedMap() = default;

  allocator_type get_allocator() const noexcept { return entries_.get_allocator(); }

  iterator begin() noexcept { return entries_.begin(); }
  iterator end() noexcept { return entries_.end(); }
  const_iterator begin() const noexcept { return entries_.begin(); }
  const_iterator end() const noexcept { return entries_.end(); }
  const_iterator cbegin() const noexcept { return entries_.cbegin(); }
  const_iterator cend() const noexcept { return entries_.cend(); }

  bool empty() const noexcept { return entries_.empty(); }
  size_type size() const noexcept { return entries_.size(); }
  size_type max_size() const noexcept { return entries_.max_size(); }
  /// Entries that fit before the next insertion reallocates. nlohmann also probes for this member
  /// to recognise vector-backed objects; under JSON_DIAGNOSTICS it then re-links parent pointers
  /// after each insertion, which relocation would otherwise leave stale.
  size_type capacity() const noexcept { return entries_.capacity(); }

  /// Iterator to the entry with `key`, or end().
  iterator find(std::string_view key) noexcept { return iterator_at(position_of(key)); }
  const_iterator find(std::string_view key) const noexcept { return iterator_at(position_of(key)); }
  /// 1 if `key` is present, else 0.
  size_type count(std::string_view key) const noexcept { return contains(key) ? 1 : 0; }
  bool contains(std::string_view key) const noexcept { return position_of(key) != kNotFound; }

  /// The value for `key`; throws std::out_of_range if absent.
  T& at(std::string_view key) { return entries_[checked_position_of(key)].second; }
  const T& at(std::string_view key) const { return entries_[checked_position_of(key)].second; }

  /// The value for `key`, appending a value-initialised one first if `key` is absent.
  template <class K>
    requires std::is_convertible_v<const K&, std::string_view>
  T& operator[](K&& key) {
    return emplace(std::forward<K>(key)).first->second;
  }
  /// The value for `key`; throws std::out_of_range if absent (a const map cannot insert).
  const T& operator[](std::string_view key) const { return at(key); }

  /// If `key` is absent, appends an entry with the key built from `key` and the value from `args`
  /// and returns {its iterator, true}; otherwise returns {the existing entry, false} and neither
  /// builds nor consumes anything. `key` and `args` may refer into this map.
  template <class K, class... Args>
    requires std::is_convertible_v<const K&, std::string_view>
  std::pair<iterator, bool> emplace(K&& key, Args&&... args) {
    const std::string_view view(key);
    const std::size_t hash = hash_of(view);
    if (const size_type found = position_of(view, hash); found != kNotFound) {
      return {iterator_at(found), false};
    }
    prepare_index(entries_.size() + 1);
    if (entries_.size() < entries_.capacity()) {
      entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(std::forward<K>(key)),
                            std::forward_as_tuple(std::forward<Args>(args)...));
    } else {
      // Build the entry's parts before grow() moves the storage `key` or `args` may point into.
      Key owned_key(std::forward<K>(key));
      T owned_value(std::forward<Args>(args)...);
      grow();
      entries_.emplace_back(std::move(owned_key), std::move(owned_value));
    }
    if (!index_.empty()) index_.insert(hash, entries_.size() - 1);
    return {std::prev(entries_.end()), true};
  }

  /// Copies `entry` in unless its key is present (std::map semantics: no overwrite).
  std::pair<iterator, bool> insert(const value_type& entry) {
    return emplace(entry.first, entry.second);
  }
  std::pair<iterator, bool> insert(value_type&& entry) {
    return emplace(entry.first, std::move(entry.second));
  }
  /// As insert(entry); the hint is ignored. Lets std::inserter (used by nlohmann's from_json) work.
  iterator insert(const_iterator /*hint*/, const value_type& entry) { return insert(entry).first; }
  /// Inserts each element of [first, last) in order, skipping keys already present.
  template <std::input_iterator It>
  void insert(It first, It last) {
    for (; first != last; ++first) {
      const auto& entry = *first;
      emplace(entry.first, entry.second);
    }
  }

  /// Removes [first, last), keeping the order of the rest; returns the iterator after the removed
  /// range. O(size()): the survivors are relocated and the index is rebuilt.
  iterator erase(const_iterator first, const_iterator last) {
    const auto begin_pos = static_cast<size_type>(first - entries_.cbegin());
    const auto end_pos = static_cast<size_type>(last - entries_.cbegin());
    if (begin_pos == end_pos) return iterator_at(begin_pos);
    Index remaining = index_.without(begin_pos, end_pos);
    if (end_pos == entries_.size()) {
      while (entries_.size() > begin_pos) entries_.pop_back();
    } else {
      relocate(begin_pos, end_pos, entries_.capacity());
    }
    index_.swap(remaining);
    return iterator_at(begin_pos);
  }
  iterator erase(const_iterator pos) { return erase(pos, std::next(pos)); }
  iterator erase(iterator pos) { return erase(const_iterator(pos)); }
  /// Removes the entry with `key`; returns how many were removed (0 or 1).
  size_type erase(std::string_view key) {
    const size_type pos = position_of(key);
    if (pos == kNotFound) return 0;
    erase(iterator_at(pos));
    return 1;
  }

  /// Removes every entry; the map then behaves as newly constructed.
  void clear() noexcept {
    entries_.clear();
    index_.clear();
  }

  void swap(InsertionOrderedMap& other) noexcept {
    entries_.swap(other.entries_);
    index_.swap(other.index_);
  }
  friend void swap(InsertionOrderedMap& lhs, InsertionOrderedMap& rhs) noexcept { lhs.swap(rhs); }

  /// Same keys with equal values, in any order.
  friend bool operator==(const InsertionOrderedMap& lhs, const InsertionOrderedMap& rhs) {
    if (lhs.size() != rhs.size()) return false;
    return std::all_of(lhs.begin(), lhs.end(), [&rhs](const value_type& entry) {
      const auto it = rhs.find(entry.first);
      return it != rhs.end() && it->second == entry.second;
    });
  }

  /// Lexicographic over the key-sorted (key, value) sequences, i.e. std::map's order, so that
  /// maps that are == compare equivalent. Allocates two pointer vectors of size(); basic_json's
  /// operator<=> is noexcept, so running out of memory there terminates.
  friend std::partial_ordering operator<=>(const InsertionOrderedMap& lhs,
                                           const InsertionOrderedMap& rhs) {
    const auto sorted_lhs = lhs.sorted_by_key();
    const auto sorted_rhs = rhs.sorted_by_key();
    return std::lexicographical_compare_three_way(
        sorted_lhs.begin(), sorted_lhs.end(), sorted_rhs.begin(), sorted_rhs.end(),
        [](const value_type* a, const value_type* b) -> std::partial_ordering {
          const auto by_key = std::string_view(a->first) <=> std::string_view(b->first);
          if (by_key != 0) return by_key;
          return a->second <=> b->second;
        });
  }

 private:
  static constexpr size_type kNotFound = Index::kNotFound;
  // Up to this many entries a scan beats hashing, and small objects (most of them, in practice)
  // skip the index allocation altogether.
  static constexpr size_type kLinearScanLimit = 8;
  static constexpr size_type kMinCapacity = 4;

  static std::size_t hash_of(std::string_view key) noexcept {
    return std::hash<std::string_view>{}(key);
  }

  size_type position_of(std::string_view key) const noexcept {
    return position_of(key, hash_of(key));
  }
  size_type position_of(std::string_view key, std::size_t hash) const noexcept {
    const auto matches = [this, key](size_type pos) noexcept {
      return std::string_view(entries_[pos].first) == key;
    };
    if (!index_.empty()) return index_.find(hash, matches);
    for (size_type pos = 0; pos < entries_.size(); ++pos) {
      if (matches(pos)) return pos;
    }
    return kNotFound;
  }
  size_type checked_position_of(std::string_view key) const {
    const size_type pos = position_of(key);
    if (pos == kNotFound) throw std::out_of_range("key not found");
    return pos;
  }

  iterator iterator_at(size_type pos) noexcept {
    return pos == kNotFound ? entries_.end() : entries_.begin() + static_cast<difference_type>(pos);
  }
  const_iterator iterator_at(size_type pos) const noexcept {
    return pos == kNotFound ? entries_.end() : entries_.begin() + static_cast<difference_type>(pos);
  }

  // Readies index_ to take one more position once the map holds `entry_count` entries, building
  // it when the map outgrows scanning. Strong guarantee.
  void prepare_index(size_type entry_count) {
    if (!index_.empty()) {
      index_.reserve(entry_count);
      return;
    }
    if (entry_count <= kLinearScanLimit) return;
    Index built(entries_.get_allocator());
    built.reserve(entry_count);
    for (size_type pos = 0; pos < entries_.size(); ++pos) {
      built.insert(hash_of(entries_[pos].first), pos);
    }
    index_.swap(built);
  }

  // std::vector would copy every entry on reallocation (a pair with a const key has no noexcept
  // move), which for nested values is a deep copy; relocating by hand copies only the keys.
  void grow() {
    relocate(entries_.size(), entries_.size(), std::max(kMinCapacity, 2 * entries_.capacity()));
  }

  // Replaces entries_ with fresh storage of `new_capacity` holding every entry outside
  // [skip_first, skip_last), copying keys and moving values. Positions below skip_first keep
  // their place; the index is the caller's business. Strong guarantee: if a key copy throws,
  // the values already moved are moved back.
  void relocate(size_type skip_first, size_type skip_last, size_type new_capacity) {
    static_assert(std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>,
                  "relocation moves values and must be able to move them back");
    const size_type gap = skip_last - skip_first;
    const auto source_of = [&](size_type kept) { return kept < skip_first ? kept : kept + gap; };
    Storage fresh(entries_.get_allocator());
    fresh.reserve(new_capacity);
    try {
      for (size_type kept = 0; kept + gap < entries_.size(); ++kept) {
        value_type& entry = entries_[source_of(kept)];
        fresh.emplace_back(entry.first, std::move(entry.second));
      }
    } catch (...) {
      for (size_type kept = 0; kept < fresh.size(); ++kept) {
        entries_[source_of(kept)].second = std::move(fresh[kept].second);
      }
      throw;
    }
    entries_.swap(fresh);
  }

  std::vector<const value_type*> sorted_by_key() const {
    std::vector<const value_type*> sorted;
    sorted.reserve(entries_.size());
    for (const value_type& entry : entries_) sorted.push_back(&entry);
    std::sort(sorted.begin(), sorted.end(), [](const value_type* a, const value_type* b) {
      return std::string_view(a->first) < std::string_view(b->first);
    });
    return sorted;
  }

  Storage entries_;  // insertion order; the only owner of keys and values
  Index index_;      // key hash -> position in entries_; empty while size() <= kLinearScanLimit
};

}  // namespace atomicio::detail
