#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings_layers.hpp"

namespace valhalla::host::config {

/// Reads typed values of host settings from merged layers. Each method throws SettingsError
/// for an invalid value, with a message that names the key, its environment variable, the
/// value (`***` for a secret), what is allowed and the layer the value came from.
class SettingsReader {
public:
    /// Reads from `layers`, which must outlive the reader.
    explicit SettingsReader(const SettingsLayers& layers) : layers_(layers) {}

    /// The raw value of `key`, or an empty string when no layer sets it.
    std::string text(std::string_view key) const;

    /// A decimal integer from `min` to `max`.
    long long integer(std::string_view key, long long min, long long max) const;

    /// A duration, see parseDuration.
    std::chrono::milliseconds duration(std::string_view key) const;

    /// A size in bytes, see parseSize.
    std::size_t size(std::string_view key) const;

    /// A boolean, see parseBool.
    bool boolean(std::string_view key) const;

    /// One of `allowed`, compared in any letter case and returned in lower case.
    std::string choice(std::string_view key, std::initializer_list<std::string_view> allowed) const;

    /// A comma-separated list with items trimmed and empty items dropped.
    std::vector<std::string> list(std::string_view key) const;

    /// A path made absolute against `base`; empty when the value is empty.
    std::filesystem::path path(std::string_view key, const std::filesystem::path& base) const;

    /// A non-empty value with no leading or trailing whitespace.
    std::string nonEmpty(std::string_view key, std::string_view expected) const;

    /// Throws SettingsError for `value` of `key`. The message ends with `expected`, the
    /// allowed values, such as "expected an integer from 1 to 65535".
    [[noreturn]] void reject(std::string_view key,
                             std::string_view value,
                             std::string_view expected) const;

private:
    const SettingsLayers& layers_;
};

}  // namespace valhalla::host::config
