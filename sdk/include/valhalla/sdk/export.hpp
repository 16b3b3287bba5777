#pragma once

/// Marks an SDK type whose type information must be shared between the host and
/// plugins. Plugins build with hidden visibility, so a type that is thrown or caught
/// across the plugin boundary needs default visibility for RTTI to match.
#define VALHALLA_SDK_API __attribute__((visibility("default")))
