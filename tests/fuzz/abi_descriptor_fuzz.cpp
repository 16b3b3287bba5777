// Fuzzes the plugin metadata reader: findElfSection and decodeAbiDescriptor.
//
// The input is a file image, such as a plugin .so or a piece of one. The target looks up
// the `.valhalla_abi` section in it and decodes the section, and it also decodes the
// input itself as descriptor bytes, so the decoder is reached without a valid ELF file.
// AbiReadError is expected, but any other exception escapes and counts as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include <valhalla/sdk/abi.hpp>

#include "plugin/abi_descriptor_reader.hpp"

namespace {

namespace plugin = valhalla::host::plugin;
namespace sdk = valhalla::sdk;

void require(bool condition, const char* invariant) {
    if (!condition) {
        std::fprintf(stderr, "invariant violated: %s\n", invariant);
        std::abort();
    }
}

bool sameBuild(const sdk::AbiDescriptor& left, const sdk::AbiDescriptor& right) {
    return left.sdk_abi == right.sdk_abi && left.gxx_abi == right.gxx_abi &&
           left.cxx11_abi == right.cxx11_abi && left.poco == right.poco &&
           left.spdlog == right.spdlog && left.fmt == right.fmt;
}

void checkDecode(std::span<const std::uint8_t> bytes) {
    std::optional<sdk::AbiDescriptor> descriptor;
    try {
        descriptor = plugin::decodeAbiDescriptor(bytes);
    } catch (const plugin::AbiReadError&) {
        return;
    }

    require(bytes.size() >= sizeof(sdk::AbiDescriptor), "a descriptor needs its full size");
    require(std::memcmp(descriptor->magic, sdk::kAbiMagic, sizeof(sdk::kAbiMagic)) == 0,
            "a decoded descriptor has the magic bytes");
    require(descriptor->size >= sizeof(sdk::AbiDescriptor), "a decoded size is not smaller");
    std::string name(descriptor->name, strnlen(descriptor->name, sizeof(descriptor->name)));
    std::string version(descriptor->version,
                        strnlen(descriptor->version, sizeof(descriptor->version)));
    require(sdk::isValidPluginName(name), "a decoded name is valid");
    require(sdk::isValidPluginVersion(version), "a decoded version is valid");

    auto mismatches = plugin::abiMismatches(*descriptor, plugin::hostAbiDescriptor());
    require(mismatches.empty() == sameBuild(*descriptor, plugin::hostAbiDescriptor()),
            "abiMismatches lists a field exactly when one differs");
}

void checkElfSection(std::span<const std::uint8_t> image) {
    std::optional<std::span<const std::uint8_t>> section;
    try {
        section = plugin::findElfSection(image, sdk::kAbiSectionName);
    } catch (const plugin::AbiReadError&) {
        return;
    }
    if (!section) {
        return;
    }

    require(section->data() >= image.data(), "the section starts inside the image");
    require(section->data() + section->size() <= image.data() + image.size(),
            "the section ends inside the image");
    checkDecode(*section);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> input(data, size);

    checkElfSection(input);
    checkDecode(input);
    return 0;
}
