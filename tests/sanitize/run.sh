#!/usr/bin/env bash
# Builds valhalla with sanitizers and runs its tests under them on Debian 12.
#
#   tests/sanitize/run.sh [STAGE...] [-- CTEST_ARGUMENT...]
#
# for example `tests/sanitize/run.sh tsan` or `tests/sanitize/run.sh asan -- -R Items`.
#
# Stages, both by default:
#   asan  builds with clang 14, AddressSanitizer, LeakSanitizer and
#         UndefinedBehaviorSanitizer into $ASAN_BUILD_DIR (default build-asan), then runs
#         every unit and integration test.
#   tsan  builds with GCC and ThreadSanitizer into $TSAN_BUILD_DIR (default build-tsan),
#         then runs the tests labelled `concurrency`. GCC, because clang 14 cannot link
#         the plugins with ThreadSanitizer (see cmake/Sanitizers.cmake).
#
# A private MariaDB on 127.0.0.1 (tests/support/mariadb.sh) serves the MySQL tests and
# is stopped however the script ends. Every process that the tests start, servers and
# their workers included, writes its sanitizer reports to files named
# <build folder>/sanitizer-reports/report.<pid> instead of stderr. ctest only gets the
# exit status of the test process, not that of a server the test stops, so a stage fails
# when ctest fails or when any report file exists, and prints the reports. The exit
# status is 1 when any stage failed.
#
# Environment: VALHALLA_WERROR=ON|OFF (default OFF) turns compiler warnings into errors;
# ASAN_BUILD_DIR and TSAN_BUILD_DIR set the build folders. When clang-14 or
# libclang-rt-14-dev is missing, the script installs them as root and otherwise prints
# the apt-get command and stops.
set -euo pipefail

repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repository"
# shellcheck source=tests/support/mariadb.sh
source "$repository/tests/support/mariadb.sh"
# shellcheck source=tests/support/stages.sh
source "$repository/tests/support/stages.sh"

all_stages=(asan tsan)
werror=${VALHALLA_WERROR:-OFF}
packages=(clang-14 libclang-rt-14-dev)
# Exit code of a process that a sanitizer stopped. valhalla itself exits with 0, 64 or 78
# (sysexits.h), so a test that checks an exit code shows which one stopped the server.
report_exit_code=86
# Number of reports printed in full when a stage fails. The first line of every report is
# listed.
printed_reports=3
mariadb_folder=""

# Ends the current stage as failed and returns 1. The stage functions run in an `||`
# list, where bash ignores `set -e`, so they check each step themselves.
fail_stage() {
    echo "==> stage $stage_name failed after $((SECONDS - stage_started)) s" >&2
    stage_name=""
    return 1
}

install_packages() {
    local runtime
    runtime=$(clang++-14 -print-file-name=libclang_rt.asan-x86_64.so 2>/dev/null || true)
    if command -v clang++-14 >/dev/null && [[ -f $runtime ]]; then
        return 0
    fi
    if ((EUID != 0)); then
        echo "clang 14 with its sanitizer runtimes is missing; install it with:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
        exit 1
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
}

# Configures BUILD_DIR with compiler COMPILER (clang or gcc) and sanitizer SANITIZER, then
# builds the given targets.
build() {
    local build_dir=$1 compiler=$2 sanitizer=$3
    shift 3
    local c_compiler=gcc cxx_compiler=g++
    if [[ $compiler == clang ]]; then
        c_compiler=clang-14
        cxx_compiler=clang++-14
    fi
    # Sanitizer reports need only line tables (-g1). The clang build took 4.8 minutes of
    # CPU time with them and 5.9 with the full debug information of -g.
    CC=$c_compiler CXX=$cxx_compiler cmake -S . -B "$build_dir" \
        -DVALHALLA_SANITIZE="$sanitizer" \
        -DVALHALLA_BUILD_TESTS=ON \
        -DVALHALLA_WERROR="$werror" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
    cmake --build "$build_dir" --parallel "$(nproc)" --target "$@"
}

start_mariadb() {
    if [[ -n $mariadb_folder ]]; then
        return 0
    fi
    mariadb_folder=$(mktemp -d "${TMPDIR:-/tmp}/valhalla-sanitize.XXXXXX")
    mariadb_start "$mariadb_folder/mariadb" "$(mariadb_free_port)" || return
    echo "MariaDB for the tests listens on 127.0.0.1:$VALHALLA_TEST_MYSQL_PORT"
}

# Runs ctest in BUILD_DIR with the NAME=VALUE option variables given before `--`. The
# arguments after `--` and the command line's ctest arguments go to ctest. Returns
# ctest's status.
run_ctest() {
    local build_dir=$1
    shift
    local options=()
    while [[ $1 != -- ]]; do
        options+=("$1")
        shift
    done
    shift
    env -u ASAN_OPTIONS -u UBSAN_OPTIONS -u LSAN_OPTIONS -u TSAN_OPTIONS "${options[@]}" \
        ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j2 --timeout 300 \
        "$@" "${ctest_arguments[@]}"
}

# Prints the reports in FOLDER. Returns 1 when the folder contains any.
check_reports() {
    local folder=$1 reports report first_line
    mapfile -t reports < <(find "$folder" -type f | sort)
    if ((${#reports[@]} == 0)); then
        echo "no sanitizer reports in $folder"
        return 0
    fi
    echo "==> ${#reports[@]} sanitizer report files in $folder:"
    for report in "${reports[@]}"; do
        first_line=$(grep -m1 -E 'ERROR:|WARNING:|runtime error:' "$report" || head -n1 "$report")
        echo "$report: $first_line"
    done
    for report in "${reports[@]:0:printed_reports}"; do
        echo "==> $report"
        cat "$report"
    done
    return 1
}

# Empties the report folder of BUILD_DIR and prints its absolute path, because the
# servers run in other folders, where a relative path would point elsewhere.
fresh_report_folder() {
    local folder
    folder=$(cd "$1" && pwd)/sanitizer-reports || return
    rm -rf "$folder"
    mkdir -p "$folder"
    echo "$folder"
}

run_asan() {
    local build_dir=${ASAN_BUILD_DIR:-build-asan} reports status=0
    begin_stage "asan-build"
    install_packages || fail_stage || return
    build "$build_dir" clang address valhalla_unit_tests valhalla_integration_tests ||
        fail_stage || return
    end_stage

    start_mariadb || return
    begin_stage "asan-test"
    reports=$(fresh_report_folder "$build_dir")
    local common="halt_on_error=1:exitcode=$report_exit_code:log_path=$reports/report"
    run_ctest "$build_dir" \
        "ASAN_OPTIONS=$common:detect_leaks=1" \
        "UBSAN_OPTIONS=$common:print_stacktrace=1" \
        -- || status=$?
    check_reports "$reports" || status=1
    if ((status != 0)); then
        fail_stage || return
    fi
    end_stage
}

run_tsan() {
    local build_dir=${TSAN_BUILD_DIR:-build-tsan} reports status=0
    begin_stage "tsan-build"
    build "$build_dir" gcc thread valhalla_integration_tests || fail_stage || return
    end_stage

    start_mariadb || return
    begin_stage "tsan-test"
    reports=$(fresh_report_folder "$build_dir")
    # halt_on_error=0 lets one run collect every race, and any report still fails the stage.
    local tsan_options="halt_on_error=0:second_deadlock_stack=1:exitcode=$report_exit_code"
    tsan_options+=":log_path=$reports/report:suppressions=$repository/tests/sanitize/tsan.supp"
    run_ctest "$build_dir" "TSAN_OPTIONS=$tsan_options" -- -L concurrency || status=$?
    check_reports "$reports" || status=1
    if ((status != 0)); then
        fail_stage || return
    fi
    end_stage
}

# shellcheck disable=SC2317 # shellcheck does not see that the EXIT trap calls it
cleanup() {
    if [[ -n $stage_name ]]; then
        echo "==> stage $stage_name failed after $((SECONDS - stage_started)) s" >&2
    fi
    if [[ -n $mariadb_folder ]]; then
        mariadb_stop "$mariadb_folder/mariadb"
        rm -rf "$mariadb_folder"
    fi
}

stages=()
ctest_arguments=()
while (($# > 0)); do
    if [[ $1 == -- ]]; then
        shift
        ctest_arguments=("$@")
        break
    fi
    stages+=("$1")
    shift
done
if ((${#stages[@]} == 0)); then
    stages=("${all_stages[@]}")
fi
for stage in "${stages[@]}"; do
    case $stage in
        asan | tsan) ;;
        *)
            echo "unknown stage '$stage': expected one of ${all_stages[*]}" >&2
            exit 2
            ;;
    esac
done
case $werror in
    ON | OFF) ;;
    *)
        echo "VALHALLA_WERROR must be ON or OFF, got '$werror'" >&2
        exit 2
        ;;
esac

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failed=()
for stage in "${stages[@]}"; do
    "run_$stage" || failed+=("$stage")
done
if ((${#failed[@]} > 0)); then
    echo "==> sanitizer stages that failed: ${failed[*]}"
    exit 1
fi
echo "==> sanitizer stages passed: ${stages[*]}"
