# Sanitizer and fuzzing builds. Include this file before any add_subdirectory, so the
# flags reach every target: the host libraries, the plugins and the tests.
#
#   -DVALHALLA_SANITIZE=address   AddressSanitizer and UndefinedBehaviorSanitizer
#   -DVALHALLA_SANITIZE=thread    ThreadSanitizer
#   -DVALHALLA_BUILD_FUZZ=ON      libFuzzer targets in tests/fuzz (clang only), built
#                                 with ASan and UBSan
#
# Poco, spdlog, libmariadb and sqlite come from Debian and are not instrumented.
# ASan still checks every access that valhalla's code makes. TSan cannot see the
# synchronization inside those libraries, so a report whose stack lies only inside them
# may be false.
#
# tests/sanitize/run.sh builds with clang 14 and address, then runs every unit and
# integration test with LeakSanitizer on. It also builds with GCC and thread, then runs
# the tests labelled `concurrency`. A report from any process fails the run.
# NOTE: LeakSanitizer needs no suppressions. ThreadSanitizer needs one, in
# tests/sanitize/tsan.supp, for the descriptor state inside GCC 12's epoll_ctl
# interceptor, and host/server/connection/thread_sanitizer.hpp for the epoll hand-over of
# connections that the interceptor misses.
include_guard(GLOBAL)

set(VALHALLA_SANITIZE "" CACHE STRING "Sanitizers to build with: empty, address or thread")
set_property(CACHE VALHALLA_SANITIZE PROPERTY STRINGS "" address thread)
option(VALHALLA_BUILD_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)

set(_valhalla_supported_sanitizers "" address thread)
if(NOT VALHALLA_SANITIZE IN_LIST _valhalla_supported_sanitizers)
    message(FATAL_ERROR "VALHALLA_SANITIZE is '${VALHALLA_SANITIZE}', expected an empty \
value, 'address' or 'thread'.")
endif()

if(VALHALLA_SANITIZE AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang|GNU")
    message(FATAL_ERROR "VALHALLA_SANITIZE needs clang or GCC, but the C++ compiler is \
${CMAKE_CXX_COMPILER_ID}.")
endif()

# clang 14's shared TSan runtime crashes before main, even in a program of one thread,
# and its static runtime leaves the plugins, which link with --no-undefined, without the
# __tsan_* symbols. GCC links libtsan as a shared library, which works for both.
if(VALHALLA_SANITIZE STREQUAL "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "VALHALLA_SANITIZE=thread needs GCC: clang 14 cannot link the \
plugins with ThreadSanitizer. Configure a new build folder with CXX=g++.")
endif()

set(_valhalla_sanitize "${VALHALLA_SANITIZE}")
if(VALHALLA_BUILD_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "VALHALLA_BUILD_FUZZ needs clang for libFuzzer, but the C++ \
compiler is ${CMAKE_CXX_COMPILER_ID}. Configure a new build folder with \
CXX=clang++-14 (Debian packages clang-14 and libclang-rt-14-dev).")
    endif()
    if(VALHALLA_SANITIZE STREQUAL "thread")
        message(FATAL_ERROR "VALHALLA_BUILD_FUZZ builds with AddressSanitizer, which cannot \
be combined with VALHALLA_SANITIZE=thread.")
    endif()
    # The fuzz targets add -fsanitize=fuzzer when they link. Everything else gets only
    # the coverage instrumentation, so the libraries and tests keep their own main.
    set(_valhalla_sanitize address)
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(_valhalla_sanitize STREQUAL "address")
    set(_valhalla_sanitizer_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined)
elseif(_valhalla_sanitize STREQUAL "thread")
    set(_valhalla_sanitizer_flags -fsanitize=thread)
endif()

if(_valhalla_sanitize)
    add_compile_options(${_valhalla_sanitizer_flags} -fno-omit-frame-pointer)
    # Plugins are MODULE libraries, so they need the flags at link time as well.
    add_link_options(${_valhalla_sanitizer_flags})
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND _valhalla_sanitize STREQUAL "address"
       AND NOT VALHALLA_BUILD_FUZZ)
        # clang links its sanitizer runtime statically into executables only, so a
        # plugin linked with --no-undefined would miss the runtime's symbols. The shared
        # runtime serves the host and its plugins alike, and the rpath lets them find it.
        # NOTE: libFuzzer puts libstdc++ ahead of a shared ASan runtime, which then
        # refuses to start, so a fuzz build keeps the static runtime and its plugins fail
        # to link. Build only the fuzz targets there, as tests/fuzz/run.sh does.
        execute_process(
            COMMAND ${CMAKE_CXX_COMPILER} -print-resource-dir
            OUTPUT_VARIABLE _valhalla_clang_resource_dir
            OUTPUT_STRIP_TRAILING_WHITESPACE)
        add_link_options(-shared-libsan "-Wl,-rpath,${_valhalla_clang_resource_dir}/lib/linux")
    endif()
    message(STATUS "valhalla: building with sanitizer flags ${_valhalla_sanitizer_flags}")
endif()
