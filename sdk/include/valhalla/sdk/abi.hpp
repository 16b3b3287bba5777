#pragma once

#include <cstdint>
#include <string_view>

#include <Poco/Version.h>
#include <fmt/core.h>
#include <spdlog/version.h>

#include <valhalla/sdk/version.hpp>

namespace valhalla::sdk {

/// Name of the ELF section that contains a plugin's AbiDescriptor. The host reads it
/// from the file before any code of the plugin is loaded.
inline constexpr const char* kAbiSectionName = ".valhalla_abi";

/// Magic bytes at the start of every AbiDescriptor.
inline constexpr char kAbiMagic[16] = "valhalla-abi-v1";

/// Maximum length of a plugin name, without the terminating NUL.
inline constexpr std::size_t kMaxPluginNameLength = 63;

/// Maximum length of a plugin version string, without the terminating NUL.
inline constexpr std::size_t kMaxPluginVersionLength = 31;

/// Build facts of a plugin that must match the host, plus the plugin's name and
/// version. The layout is fixed: new fields are only appended, and `size` gives the
/// reader how many bytes the writer knew about. Versions of Poco, spdlog and fmt are
/// encoded as major * 100 + minor.
struct AbiDescriptor {
    /// Always kAbiMagic, NUL-terminated.
    char magic[16];
    /// sizeof(AbiDescriptor) of the SDK that wrote the descriptor.
    std::uint32_t size;
    /// kAbiVersion of the SDK headers. Must equal the host's.
    std::uint32_t sdk_abi;
    /// The compiler's __GXX_ABI_VERSION. Must equal the host's.
    std::uint32_t gxx_abi;
    /// libstdc++'s _GLIBCXX_USE_CXX11_ABI (1 for the C++11 string ABI). Must equal the host's.
    std::uint32_t cxx11_abi;
    /// Poco major * 100 + minor, from POCO_VERSION. Must equal the host's.
    std::uint32_t poco;
    /// spdlog major * 100 + minor. Must equal the host's.
    std::uint32_t spdlog;
    /// fmt major * 100 + minor, from FMT_VERSION. Must equal the host's.
    std::uint32_t fmt;
    /// The plugin's name, NUL-terminated, as isValidPluginName accepts it. Not compared.
    char name[kMaxPluginNameLength + 1];
    /// The plugin's version, NUL-terminated, as isValidPluginVersion accepts it. Not compared.
    char version[kMaxPluginVersionLength + 1];
};

/// Returns whether `name` is a valid plugin name: 1 to 63 characters from a-z, 0-9,
/// '_' and '-', starting with a letter. The name is used in configuration keys
/// (`plugins.<name>.*`) and logger names.
constexpr bool isValidPluginName(std::string_view name) {
    if (name.empty() || name.size() > kMaxPluginNameLength) {
        return false;
    }
    if (name.front() < 'a' || name.front() > 'z') {
        return false;
    }
    for (char c : name) {
        bool lower = c >= 'a' && c <= 'z';
        bool digit = c >= '0' && c <= '9';
        if (!lower && !digit && c != '_' && c != '-') {
            return false;
        }
    }
    return true;
}

/// Returns whether `version` is a valid plugin version: 1 to 31 printable ASCII
/// characters without spaces, such as "1.2.0".
constexpr bool isValidPluginVersion(std::string_view version) {
    if (version.empty() || version.size() > kMaxPluginVersionLength) {
        return false;
    }
    for (char c : version) {
        if (c <= ' ' || c > '~') {
            return false;
        }
    }
    return true;
}

/// Builds the descriptor of the translation unit that calls it. The values come from
/// the compiler and the library headers in use, so a plugin records what it was
/// really built with. A constant-evaluated call fails to compile on an invalid name
/// or version.
consteval AbiDescriptor makeAbiDescriptor(std::string_view name,
                                          std::string_view version,
                                          std::uint32_t sdk_abi = kAbiVersion) {
    if (!isValidPluginName(name)) {
        throw "invalid plugin name: use 1-63 characters from a-z, 0-9, '_' and '-'";
    }
    if (!isValidPluginVersion(version)) {
        throw "invalid plugin version: use 1-31 printable characters without spaces";
    }
    AbiDescriptor descriptor{};
    for (std::size_t i = 0; i < sizeof(kAbiMagic); ++i) {
        descriptor.magic[i] = kAbiMagic[i];
    }
    descriptor.size = sizeof(AbiDescriptor);
    descriptor.sdk_abi = sdk_abi;
    descriptor.gxx_abi = __GXX_ABI_VERSION;
    descriptor.cxx11_abi = _GLIBCXX_USE_CXX11_ABI;
    descriptor.poco = ((POCO_VERSION >> 24) & 0xFF) * 100 + ((POCO_VERSION >> 16) & 0xFF);
    descriptor.spdlog = SPDLOG_VER_MAJOR * 100 + SPDLOG_VER_MINOR;
    descriptor.fmt = FMT_VERSION / 10000 * 100 + FMT_VERSION / 100 % 100;
    for (std::size_t i = 0; i < name.size(); ++i) {
        descriptor.name[i] = name[i];
    }
    for (std::size_t i = 0; i < version.size(); ++i) {
        descriptor.version[i] = version[i];
    }
    return descriptor;
}

}  // namespace valhalla::sdk
