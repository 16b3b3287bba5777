#include <valhalla/sdk/abi.hpp>

// A valid descriptor but no exported factory.
extern "C" __attribute__((
    used,
    section(".valhalla_abi"),
    visibility("default"))) constexpr valhalla::sdk::AbiDescriptor valhalla_abi_descriptor =
    valhalla::sdk::makeAbiDescriptor("missing_factory", "1.0.0");
