#pragma once

#include <cstdint>

namespace valhalla::sdk {

/// Version of the SDK headers, in semantic versioning.
inline constexpr const char* kSdkVersion = "1.1.0";

/// ABI version of the SDK. Any change to a type that crosses the plugin boundary,
/// other than a virtual function appended at the end of an interface, increments it.
/// The host loads only plugins built with the same value.
inline constexpr std::uint32_t kAbiVersion = 1;

}  // namespace valhalla::sdk
