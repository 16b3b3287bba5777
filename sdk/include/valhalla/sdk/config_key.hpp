#pragma once

#include <optional>
#include <string>
#include <utility>

namespace valhalla::sdk {

/// A key of a plugin's configuration section `plugins.<name>.*`, declared by the
/// plugin so the host can apply defaults, fail start-up on missing required keys and
/// warn about unknown keys.
struct ConfigKey {
    /// Key relative to the section, such as `greeting` for `plugins.hello.greeting`.
    std::string name;
    /// Value used when the key is not set; empty for a required key.
    std::optional<std::string> default_value;
    /// Whether start fails when the key is not set.
    bool required = false;
    /// One line for operators: what the key sets, and its unit.
    std::string description;

    /// Declares an optional key with a default value.
    static ConfigKey makeOptional(std::string name,
                                  std::string default_value,
                                  std::string description) {
        return {std::move(name), std::move(default_value), false, std::move(description)};
    }

    /// Declares a key that must be set; the plugin does not start without it.
    static ConfigKey makeRequired(std::string name, std::string description) {
        return {std::move(name), std::nullopt, true, std::move(description)};
    }
};

}  // namespace valhalla::sdk
