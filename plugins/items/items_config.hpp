#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Poco/Util/AbstractConfiguration.h>

#include <valhalla/sdk/config_key.hpp>

namespace valhalla::plugins::items {

/// Largest accepted `plugins.items.max_limit`. It bounds one list response: 1000 items
/// with 10000-character descriptions are up to about 40 MB of JSON.
inline constexpr std::int64_t kMaxConfigurableLimit = 1000;

/// Validated settings of the `plugins.items` section.
struct ItemsConfig {
    /// Table name, written into SQL text, so only [a-z_][a-z0-9_]{0,63} is accepted.
    std::string table;
    /// Largest `limit` a list request may ask for.
    std::int64_t max_limit = 100;
};

/// Keys of the `plugins.items` section with their defaults.
std::vector<sdk::ConfigKey> itemsConfigKeys();

/// Reads and validates the section. Throws std::invalid_argument naming the key, the
/// value and what is allowed.
ItemsConfig readItemsConfig(const Poco::Util::AbstractConfiguration& config);

}  // namespace valhalla::plugins::items
