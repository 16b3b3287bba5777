# valhalla_add_plugin(NAME
#     SOURCES file...
#     [LIBRARIES target...]
#     [OUTPUT_DIRECTORY dir])
#
# Builds NAME.so, a plugin the valhalla host loads from its plugin folder. The
# module links Valhalla::sdk, hides every symbol except the two that
# VALHALLA_PLUGIN exports, and fails to link on unresolved symbols, because the
# host loads plugins with immediate binding and would otherwise reject the file.
#
# The file goes to OUTPUT_DIRECTORY, else to VALHALLA_PLUGIN_OUTPUT_DIRECTORY when
# that variable is set, else to CMake's default for modules: the folder in
# CMAKE_LIBRARY_OUTPUT_DIRECTORY, or the current binary folder. The valhalla build and
# the installed ValhallaSDK package define this same function.
include_guard(GLOBAL)

function(valhalla_add_plugin name)
    cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
    if(NOT ARG_SOURCES)
        message(FATAL_ERROR "valhalla_add_plugin(${name}): SOURCES is missing")
    endif()
    if(NOT ARG_OUTPUT_DIRECTORY AND DEFINED VALHALLA_PLUGIN_OUTPUT_DIRECTORY)
        set(ARG_OUTPUT_DIRECTORY ${VALHALLA_PLUGIN_OUTPUT_DIRECTORY})
    endif()

    add_library(${name} MODULE ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Valhalla::sdk ${ARG_LIBRARIES})
    target_link_options(${name} PRIVATE -Wl,--no-undefined)
    set_target_properties(${name} PROPERTIES
        PREFIX ""
        CXX_VISIBILITY_PRESET hidden
        VISIBILITY_INLINES_HIDDEN ON)
    if(ARG_OUTPUT_DIRECTORY)
        set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
    endif()
endfunction()
