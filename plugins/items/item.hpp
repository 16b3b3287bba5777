#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <Poco/JSON/Object.h>

namespace valhalla::plugins::items {

/// Maximum length of an item name, in Unicode code points.
inline constexpr std::size_t kMaxNameLength = 200;

/// Maximum length of an item description, in Unicode code points.
inline constexpr std::size_t kMaxDescriptionLength = 10000;

/// A stored item as the API returns it.
struct Item {
    std::int64_t id = 0;
    std::string name;
    std::int64_t price_cents = 0;
    std::optional<std::string> description;
    /// ISO 8601 UTC time with milliseconds, such as "2026-12-04T16:45:44.123Z".
    std::string created_at;
    /// ISO 8601 UTC time with milliseconds of the last change.
    std::string updated_at;
};

/// The client-supplied fields of a whole item, from a validated POST or PUT body.
struct ItemFields {
    std::string name;
    std::int64_t price_cents = 0;
    std::optional<std::string> description;
};

/// The fields a validated PATCH body sets. An absent field keeps its stored value.
struct ItemPatch {
    std::optional<std::string> name;
    std::optional<std::int64_t> price_cents;
    /// Description to store, set when the body contains `description`. The inner value
    /// is empty for null.
    std::optional<std::optional<std::string>> description;

    bool empty() const { return !name && !price_cents && !description; }
};

/// Builds the JSON object of an item with its members in the order id, name, price,
/// description, created_at, updated_at.
Poco::JSON::Object::Ptr itemToJson(const Item& item);

}  // namespace valhalla::plugins::items
