# Install rules. `cmake --install build --prefix P` creates:
#
#   P/bin/valhalla                    the host
#   P/start.sh                        the launcher; next to bin/ it never builds
#   P/plugins/{hello,health,items}.so the bundled plugins
#   P/etc/valhalla.properties         the default configuration
#   P/include/valhalla/sdk/           the SDK headers
#   P/lib/cmake/ValhallaSDK/          the CMake package for find_package(ValhallaSDK)
#   P/share/doc/valhalla/             the plugin guide and the out-of-tree example
#
# The folders are fixed instead of taken from GNUInstallDirs, because the host
# looks for its plugins in ../plugins and its configuration in ../etc relative to
# the folder of its binary.
include(CMakePackageConfigHelpers)

set(VALHALLA_SDK_PACKAGE_DIR lib/cmake/ValhallaSDK)

install(TARGETS valhalla RUNTIME DESTINATION bin)
install(PROGRAMS start.sh DESTINATION .)
install(TARGETS hello health items LIBRARY DESTINATION plugins)
install(FILES etc/valhalla.properties DESTINATION etc)

install(DIRECTORY sdk/include/valhalla/sdk
    DESTINATION include/valhalla
    FILES_MATCHING PATTERN "*.hpp")
install(TARGETS valhalla_sdk EXPORT ValhallaSDKTargets)
install(EXPORT ValhallaSDKTargets
    NAMESPACE Valhalla::
    DESTINATION ${VALHALLA_SDK_PACKAGE_DIR})

configure_package_config_file(sdk/cmake/ValhallaSDKConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/ValhallaSDKConfig.cmake
    INSTALL_DESTINATION ${VALHALLA_SDK_PACKAGE_DIR})
# SameMajorVersion follows semantic versioning of kSdkVersion: a request for 1.0
# accepts any installed 1.x from 1.0 on. Whether a built plugin loads is decided by
# the host, which compares the plugin's ABI descriptor with its own.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ValhallaSDKConfigVersion.cmake
    VERSION ${VALHALLA_SDK_VERSION}
    COMPATIBILITY SameMajorVersion)
install(FILES
    ${CMAKE_CURRENT_BINARY_DIR}/ValhallaSDKConfig.cmake
    ${CMAKE_CURRENT_BINARY_DIR}/ValhallaSDKConfigVersion.cmake
    sdk/cmake/ValhallaDependencies.cmake
    sdk/cmake/ValhallaPlugin.cmake
    DESTINATION ${VALHALLA_SDK_PACKAGE_DIR})

install(FILES docs/plugins.md DESTINATION share/doc/valhalla)
install(DIRECTORY examples/out-of-tree-plugin
    DESTINATION share/doc/valhalla/examples
    PATTERN build EXCLUDE)
