# Finds the Debian 12 packages that the host and every plugin link against. The
# valhalla build includes this file, and so does the installed ValhallaSDK
# package, so a plugin built outside the source tree links the same targets.
#
# Inside find_package(ValhallaSDK) a missing package marks ValhallaSDK as not
# found, with the reason in ValhallaSDK_NOT_FOUND_MESSAGE, and returns from this
# file. In the valhalla build it stops the configuration.
#
# Imported targets are visible only in the folder that created them and below, so
# the guard is per folder: a project that calls find_package(ValhallaSDK) in two
# sibling folders gets the targets in both.
include_guard(DIRECTORY)
include(CMakeFindDependencyMacro)

if(CMAKE_FIND_PACKAGE_NAME STREQUAL "ValhallaSDK")
    set(_valhalla_in_package TRUE)
    macro(_valhalla_find_dependency)
        find_dependency(${ARGN})
    endmacro()
else()
    set(_valhalla_in_package FALSE)
    macro(_valhalla_find_dependency)
        find_package(${ARGN} REQUIRED)
    endmacro()
endif()

_valhalla_find_dependency(PkgConfig)

# Debian's PocoDataMySQLTargets.cmake links MySQL::client, which no package
# defines, so find_package(Poco ... DataMySQL) fails without this target.
if(NOT TARGET MySQL::client)
    pkg_check_modules(VALHALLA_MARIADB IMPORTED_TARGET libmariadb)
    if(NOT VALHALLA_MARIADB_FOUND)
        set(_valhalla_message "pkg-config found no libmariadb, which Poco's MySQL \
connector needs. Install the Debian package libmariadb-dev.")
        if(_valhalla_in_package)
            set(ValhallaSDK_NOT_FOUND_MESSAGE "${_valhalla_message}")
            set(ValhallaSDK_FOUND FALSE)
            return()
        endif()
        message(FATAL_ERROR "${_valhalla_message}")
    endif()
    add_library(MySQL::client INTERFACE IMPORTED)
    target_link_libraries(MySQL::client INTERFACE PkgConfig::VALHALLA_MARIADB)
endif()

_valhalla_find_dependency(Poco 1.11
    COMPONENTS Foundation Net NetSSL Util Data DataMySQL DataSQLite JSON)
_valhalla_find_dependency(spdlog 1.10)
_valhalla_find_dependency(Boost 1.74)
