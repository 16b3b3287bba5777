#include <cstring>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "plugin/abi_descriptor_reader.hpp"

namespace valhalla::host::plugin {
namespace {

std::vector<std::uint8_t> readFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::string bundled(const std::string& name) {
    return std::string(VALHALLA_BUNDLED_PLUGIN_DIR) + "/" + name + ".so";
}

std::string testPlugin(const std::string& name) {
    return std::string(VALHALLA_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

TEST(AbiDescriptor, ReadsBundledPlugin) {
    auto descriptor = readAbiDescriptor(bundled("hello"));

    EXPECT_STREQ(descriptor.name, "hello");
    EXPECT_STREQ(descriptor.version, "1.0.0");
    EXPECT_TRUE(abiMismatches(descriptor, hostAbiDescriptor()).empty());
}

TEST(AbiDescriptor, MismatchNamesBothValues) {
    auto descriptor = readAbiDescriptor(testPlugin("wrong_abi"));

    auto mismatches = abiMismatches(descriptor, hostAbiDescriptor());

    ASSERT_EQ(mismatches.size(), 1u);
    EXPECT_EQ(mismatches[0], "SDK ABI version: plugin 999, host 1");
}

TEST(AbiDescriptor, EveryFieldIsCompared) {
    sdk::AbiDescriptor plugin = hostAbiDescriptor();
    plugin.gxx_abi += 1;
    plugin.cxx11_abi = plugin.cxx11_abi ? 0 : 1;
    plugin.poco = 112;
    plugin.spdlog = 111;
    plugin.fmt = 1000;

    auto mismatches = abiMismatches(plugin, hostAbiDescriptor());

    ASSERT_EQ(mismatches.size(), 5u);
    EXPECT_NE(mismatches[2].find("Poco version: plugin 1.12, host 1.11"), std::string::npos);
    EXPECT_NE(mismatches[3].find("spdlog version: plugin 1.11, host 1.10"), std::string::npos);
    EXPECT_NE(mismatches[4].find("fmt version: plugin 10.0, host 9.1"), std::string::npos);
}

TEST(AbiDescriptor, TextFileIsNotElf) {
    std::string text = "this is not a shared object";
    std::vector<std::uint8_t> image(text.begin(), text.end());

    EXPECT_THROW(findElfSection(image, ".valhalla_abi"), AbiReadError);
}

TEST(AbiDescriptor, EmptyImageIsRejected) {
    std::vector<std::uint8_t> image;

    EXPECT_THROW(findElfSection(image, ".valhalla_abi"), AbiReadError);
}

TEST(AbiDescriptor, TruncatedElfIsRejected) {
    auto image = readFile(bundled("hello"));
    image.resize(200);

    EXPECT_THROW(findElfSection(image, ".valhalla_abi"), AbiReadError);
}

TEST(AbiDescriptor, MissingSectionIsNullopt) {
    auto image = readFile(bundled("hello"));

    EXPECT_FALSE(findElfSection(image, ".no_such_section").has_value());
}

TEST(AbiDescriptor, WrongMagicIsRejected) {
    sdk::AbiDescriptor descriptor = hostAbiDescriptor();
    descriptor.magic[0] = 'X';
    std::vector<std::uint8_t> bytes(sizeof(descriptor));
    std::memcpy(bytes.data(), &descriptor, sizeof(descriptor));

    EXPECT_THROW(decodeAbiDescriptor(bytes), AbiReadError);
}

TEST(AbiDescriptor, ShortDescriptorIsRejected) {
    std::vector<std::uint8_t> bytes(10, 0);

    EXPECT_THROW(decodeAbiDescriptor(bytes), AbiReadError);
}

TEST(AbiDescriptor, UnterminatedNameIsRejected) {
    sdk::AbiDescriptor descriptor = hostAbiDescriptor();
    std::memset(descriptor.name, 'a', sizeof(descriptor.name));
    std::vector<std::uint8_t> bytes(sizeof(descriptor));
    std::memcpy(bytes.data(), &descriptor, sizeof(descriptor));

    EXPECT_THROW(decodeAbiDescriptor(bytes), AbiReadError);
}

TEST(AbiDescriptor, InvalidNameIsRejected) {
    sdk::AbiDescriptor descriptor = hostAbiDescriptor();
    std::strcpy(descriptor.name, "Bad Name");
    std::vector<std::uint8_t> bytes(sizeof(descriptor));
    std::memcpy(bytes.data(), &descriptor, sizeof(descriptor));

    EXPECT_THROW(decodeAbiDescriptor(bytes), AbiReadError);
}

TEST(AbiDescriptor, MissingFileNamesTheProblem) {
    try {
        readAbiDescriptor("/nonexistent/plugin.so");
        FAIL() << "expected AbiReadError";
    } catch (const AbiReadError& error) {
        EXPECT_NE(std::string(error.what()).find("cannot open"), std::string::npos);
    }
}

TEST(AbiDescriptor, PluginNameRules) {
    EXPECT_TRUE(sdk::isValidPluginName("items"));
    EXPECT_TRUE(sdk::isValidPluginName("a1_b-c"));
    EXPECT_FALSE(sdk::isValidPluginName(""));
    EXPECT_FALSE(sdk::isValidPluginName("1abc"));
    EXPECT_FALSE(sdk::isValidPluginName("Items"));
    EXPECT_FALSE(sdk::isValidPluginName("a.b"));
    EXPECT_FALSE(sdk::isValidPluginName(std::string(64, 'a')));
}

}  // namespace
}  // namespace valhalla::host::plugin
