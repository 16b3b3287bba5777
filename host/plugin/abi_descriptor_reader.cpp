#include "plugin/abi_descriptor_reader.hpp"

#include <cstring>
#include <fstream>
#include <iterator>

#include <elf.h>

namespace valhalla::host::plugin {

namespace {

// Largest plugin file the reader accepts; real plugins are a few MiB.
constexpr std::size_t kMaxImageSize = 512u * 1024 * 1024;

template <typename T>
T readStruct(std::span<const std::uint8_t> image, std::uint64_t offset, const char* what) {
    if (offset > image.size() || image.size() - offset < sizeof(T)) {
        throw AbiReadError(std::string("truncated ELF file: ") + what + " lies outside the file");
    }
    T value;
    std::memcpy(&value, image.data() + offset, sizeof(T));
    return value;
}

std::span<const std::uint8_t> sliceOf(std::span<const std::uint8_t> image,
                                      std::uint64_t offset,
                                      std::uint64_t size,
                                      const char* what) {
    if (offset > image.size() || image.size() - offset < size) {
        throw AbiReadError(std::string("truncated ELF file: ") + what + " lies outside the file");
    }
    return image.subspan(offset, size);
}

Elf64_Ehdr readElfHeader(std::span<const std::uint8_t> image) {
    if (image.size() < EI_NIDENT || std::memcmp(image.data(), ELFMAG, SELFMAG) != 0) {
        throw AbiReadError("not an ELF file (no ELF magic bytes)");
    }
    if (image[EI_CLASS] != ELFCLASS64 || image[EI_DATA] != ELFDATA2LSB) {
        throw AbiReadError("not a 64-bit little-endian ELF file");
    }
    auto header = readStruct<Elf64_Ehdr>(image, 0, "the ELF header");
    if (header.e_type != ET_DYN) {
        throw AbiReadError("not an ELF shared object (e_type " + std::to_string(header.e_type) +
                           ")");
    }
    if (header.e_shentsize != sizeof(Elf64_Shdr)) {
        throw AbiReadError("unexpected ELF section header size " +
                           std::to_string(header.e_shentsize));
    }
    return header;
}

std::string fieldName(const char* text, std::size_t capacity) {
    return std::string(text, strnlen(text, capacity));
}

std::string versionText(std::uint32_t encoded) {
    return std::to_string(encoded / 100) + "." + std::to_string(encoded % 100);
}

}  // namespace

std::optional<std::span<const std::uint8_t>> findElfSection(std::span<const std::uint8_t> image,
                                                            const std::string& section_name) {
    Elf64_Ehdr header = readElfHeader(image);
    if (header.e_shnum == 0 || header.e_shstrndx == SHN_UNDEF ||
        header.e_shstrndx >= header.e_shnum) {
        throw AbiReadError("ELF file has no section name table");
    }
    auto sectionHeader = [&](std::uint64_t index) {
        return readStruct<Elf64_Shdr>(
            image, header.e_shoff + index * sizeof(Elf64_Shdr), "a section header");
    };
    Elf64_Shdr names_header = sectionHeader(header.e_shstrndx);
    auto names =
        sliceOf(image, names_header.sh_offset, names_header.sh_size, "the section name table");

    for (std::uint64_t i = 0; i < header.e_shnum; ++i) {
        Elf64_Shdr section = sectionHeader(i);
        if (section.sh_name >= names.size()) {
            continue;
        }
        const char* name = reinterpret_cast<const char*>(names.data() + section.sh_name);
        std::size_t length = strnlen(name, names.size() - section.sh_name);
        if (std::string_view(name, length) != section_name) {
            continue;
        }
        if (section.sh_type == SHT_NOBITS) {
            throw AbiReadError("section " + section_name + " has no contents in the file");
        }
        return sliceOf(image, section.sh_offset, section.sh_size, "the descriptor section");
    }
    return std::nullopt;
}

sdk::AbiDescriptor decodeAbiDescriptor(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < sizeof(sdk::AbiDescriptor)) {
        throw AbiReadError("ABI descriptor is " + std::to_string(bytes.size()) +
                           " bytes, expected at least " +
                           std::to_string(sizeof(sdk::AbiDescriptor)));
    }
    sdk::AbiDescriptor descriptor;
    std::memcpy(&descriptor, bytes.data(), sizeof(descriptor));
    if (std::memcmp(descriptor.magic, sdk::kAbiMagic, sizeof(sdk::kAbiMagic)) != 0) {
        throw AbiReadError("ABI descriptor has an unknown format (magic bytes do not match)");
    }
    if (descriptor.size < sizeof(sdk::AbiDescriptor)) {
        throw AbiReadError("ABI descriptor declares size " + std::to_string(descriptor.size) +
                           ", smaller than this host's " +
                           std::to_string(sizeof(sdk::AbiDescriptor)));
    }
    std::string name = fieldName(descriptor.name, sizeof(descriptor.name));
    if (name.size() == sizeof(descriptor.name) || !sdk::isValidPluginName(name)) {
        throw AbiReadError("ABI descriptor has an invalid plugin name '" + name + "'");
    }
    std::string version = fieldName(descriptor.version, sizeof(descriptor.version));
    if (version.size() == sizeof(descriptor.version) || !sdk::isValidPluginVersion(version)) {
        throw AbiReadError("ABI descriptor has an invalid plugin version '" + version + "'");
    }
    return descriptor;
}

sdk::AbiDescriptor readAbiDescriptor(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw AbiReadError("cannot open the file: " + std::string(std::strerror(errno)));
    }
    std::vector<std::uint8_t> image;
    file.seekg(0, std::ios::end);
    auto size = static_cast<std::size_t>(file.tellg());
    if (size > kMaxImageSize) {
        throw AbiReadError("file is larger than " + std::to_string(kMaxImageSize) + " bytes");
    }
    file.seekg(0);
    image.resize(size);
    if (!file.read(reinterpret_cast<char*>(image.data()), static_cast<std::streamsize>(size))) {
        throw AbiReadError("cannot read the file");
    }
    auto section = findElfSection(image, sdk::kAbiSectionName);
    if (!section) {
        throw AbiReadError(std::string("no ") + sdk::kAbiSectionName +
                           " section: not a valhalla plugin, or built without VALHALLA_PLUGIN");
    }
    return decodeAbiDescriptor(*section);
}

const sdk::AbiDescriptor& hostAbiDescriptor() {
    static constexpr sdk::AbiDescriptor kHost = sdk::makeAbiDescriptor("host", "host");
    return kHost;
}

std::vector<std::string> abiMismatches(const sdk::AbiDescriptor& plugin,
                                       const sdk::AbiDescriptor& host) {
    std::vector<std::string> mismatches;
    auto compare =
        [&](const char* field, std::uint32_t mine, std::uint32_t theirs, bool as_version) {
            if (mine != theirs) {
                std::string plugin_value = as_version ? versionText(mine) : std::to_string(mine);
                std::string host_value = as_version ? versionText(theirs) : std::to_string(theirs);
                mismatches.push_back(std::string(field) + ": plugin " + plugin_value + ", host " +
                                     host_value);
            }
        };
    compare("SDK ABI version", plugin.sdk_abi, host.sdk_abi, false);
    compare("__GXX_ABI_VERSION", plugin.gxx_abi, host.gxx_abi, false);
    compare("_GLIBCXX_USE_CXX11_ABI", plugin.cxx11_abi, host.cxx11_abi, false);
    compare("Poco version", plugin.poco, host.poco, true);
    compare("spdlog version", plugin.spdlog, host.spdlog, true);
    compare("fmt version", plugin.fmt, host.fmt, true);
    return mismatches;
}

}  // namespace valhalla::host::plugin
