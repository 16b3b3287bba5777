#include "items_config.hpp"

#include <optional>
#include <stdexcept>

#include "integer_text.hpp"

namespace valhalla::plugins::items {

namespace {

constexpr std::size_t kMaxTableNameLength = 64;

bool isValidTableName(const std::string& name) {
    if (name.empty() || name.size() > kMaxTableNameLength) {
        return false;
    }
    if (name.front() >= '0' && name.front() <= '9') {
        return false;
    }
    for (char c : name) {
        bool lower = c >= 'a' && c <= 'z';
        bool digit = c >= '0' && c <= '9';
        if (!lower && !digit && c != '_') {
            return false;
        }
    }
    return true;
}

}  // namespace

std::vector<sdk::ConfigKey> itemsConfigKeys() {
    return {
        sdk::ConfigKey::makeOptional(
            "table",
            "items",
            "Table that stores the items: 1-64 characters from a-z, 0-9 and '_', not "
            "starting with a digit"),
        sdk::ConfigKey::makeOptional(
            "max_limit",
            "100",
            "Largest limit query parameter of GET /api/v1/items, from 1 to 1000 items"),
    };
}

ItemsConfig readItemsConfig(const Poco::Util::AbstractConfiguration& config) {
    ItemsConfig result;
    result.table = config.getString("table", "items");
    if (!isValidTableName(result.table)) {
        throw std::invalid_argument("invalid plugins.items.table '" + result.table +
                                    "': use 1-64 characters from a-z, 0-9 and '_', not "
                                    "starting with a digit");
    }

    std::string max_limit = config.getString("max_limit", "100");
    std::optional<std::int64_t> value = parseNonNegativeInteger(max_limit);
    if (!value || *value < 1 || *value > kMaxConfigurableLimit) {
        throw std::invalid_argument("invalid plugins.items.max_limit '" + max_limit +
                                    "': use an integer from 1 to " +
                                    std::to_string(kMaxConfigurableLimit));
    }
    result.max_limit = *value;
    return result;
}

}  // namespace valhalla::plugins::items
