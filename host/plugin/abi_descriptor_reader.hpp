#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <valhalla/sdk/abi.hpp>

namespace valhalla::host::plugin {

/// Thrown when a file has no readable ABI descriptor. The message gives the reason.
class AbiReadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Returns the contents of the ELF section called `section_name` in `image`, a whole
/// ELF64 little-endian file, or std::nullopt when there is no such section. Throws
/// AbiReadError when the image is not such an ELF file or its headers point outside
/// it. Reads only the bytes given: no code of the file runs.
std::optional<std::span<const std::uint8_t>> findElfSection(std::span<const std::uint8_t> image,
                                                            const std::string& section_name);

/// Decodes an ABI descriptor from section bytes. Throws AbiReadError when the bytes
/// are too short, the magic is wrong, or the name or version is invalid.
sdk::AbiDescriptor decodeAbiDescriptor(std::span<const std::uint8_t> bytes);

/// Reads the descriptor of the plugin file at `path` without loading it. Throws
/// AbiReadError naming the problem when the file cannot be read, is not an ELF
/// shared object, or has no valid `.valhalla_abi` section.
sdk::AbiDescriptor readAbiDescriptor(const std::string& path);

/// The descriptor values this host was built with; name and version are "host".
const sdk::AbiDescriptor& hostAbiDescriptor();

/// Lists every field in which `plugin` differs from `host`, each as
/// "<field>: plugin <value>, host <value>". Empty when they are compatible.
std::vector<std::string> abiMismatches(const sdk::AbiDescriptor& plugin,
                                       const sdk::AbiDescriptor& host);

}  // namespace valhalla::host::plugin
