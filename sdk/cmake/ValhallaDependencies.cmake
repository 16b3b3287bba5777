# Finds the Debian 12 packages that the host and every plugin link against.
include_guard(GLOBAL)

find_package(PkgConfig REQUIRED)

# Debian's PocoDataMySQLTargets.cmake links MySQL::client, which no package
# defines, so find_package(Poco ... DataMySQL) fails without this target.
if(NOT TARGET MySQL::client)
    pkg_check_modules(VALHALLA_MARIADB REQUIRED IMPORTED_TARGET libmariadb)
    add_library(MySQL::client INTERFACE IMPORTED)
    target_link_libraries(MySQL::client INTERFACE PkgConfig::VALHALLA_MARIADB)
endif()

find_package(Poco 1.11 REQUIRED
    COMPONENTS Foundation Net NetSSL Util Data DataMySQL DataSQLite JSON)
find_package(spdlog 1.10 REQUIRED)
find_package(Boost 1.74 REQUIRED)
