#!/usr/bin/env bash
# Builds valhalla and runs its whole test suite on Debian 12.
#
#   tests/run.sh [CTEST_ARGUMENT...]     for example: tests/run.sh -L unit
#
# It installs missing Debian packages when run as root, and otherwise prints the
# apt-get command and stops. It then configures and builds into $BUILD_DIR
# (default build) and starts a private MariaDB on 127.0.0.1 for the MySQL tests.
# Last it runs ctest with the given arguments and stops MariaDB whatever
# happened. The exit status is ctest's.
#
# Environment: VALHALLA_WERROR=ON|OFF (default OFF) turns compiler warnings into
# errors; BUILD_DIR sets the build folder.
set -euo pipefail

repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repository"
# shellcheck source=tests/support/mariadb.sh
source "$repository/tests/support/mariadb.sh"
# shellcheck source=tests/support/stages.sh
source "$repository/tests/support/stages.sh"

packages=(cmake g++ make pkg-config libpoco-dev libboost-dev libspdlog-dev libfmt-dev
    libmariadb-dev libssl-dev googletest libgtest-dev libgmock-dev mariadb-server
    mariadb-client openssl curl ca-certificates)
build_dir=${BUILD_DIR:-build}
werror=${VALHALLA_WERROR:-OFF}
mariadb_folder=""

# Prints the packages of the list that dpkg does not report as installed.
missing_packages() {
    local package
    for package in "${packages[@]}"; do
        if ! dpkg-query -W -f='${db:Status-Status}\n' "$package" 2>/dev/null | grep -qx installed; then
            echo "$package"
        fi
    done
}

install_packages() {
    local missing
    if ! command -v dpkg-query >/dev/null; then
        echo "dpkg-query not found: not a Debian system, so required packages are not checked"
        return 0
    fi
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if ((EUID != 0)); then
        echo "Missing packages: ${missing[*]}. Install them as root with:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends ${packages[*]}" >&2
        exit 1
    fi
    echo "Installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${packages[@]}"
}

# shellcheck disable=SC2317 # shellcheck does not see that the EXIT trap calls it
cleanup() {
    if [[ -n $stage_name ]]; then
        echo "==> stage $stage_name failed after $((SECONDS - stage_started)) s" >&2
    fi
    if [[ -n $mariadb_folder ]]; then
        begin_stage "stop-mariadb"
        mariadb_stop "$mariadb_folder/mariadb"
        rm -rf "$mariadb_folder"
        end_stage
    fi
}

case $werror in
    ON | OFF) ;;
    *)
        echo "VALHALLA_WERROR must be ON or OFF, got '$werror'" >&2
        exit 2
        ;;
esac

# With these traps an interrupted run still stops MariaDB through the EXIT trap.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

begin_stage "packages"
install_packages
end_stage

begin_stage "build"
# Tests are switched on explicitly because start.sh configures the same folder
# without them.
cmake -S . -B "$build_dir" -DVALHALLA_BUILD_TESTS=ON -DVALHALLA_WERROR="$werror"
cmake --build "$build_dir" -j"$(nproc)"
end_stage

begin_stage "start-mariadb"
mariadb_folder=$(mktemp -d "${TMPDIR:-/tmp}/valhalla-tests.XXXXXX")
mariadb_port=$(mariadb_free_port)
mariadb_start "$mariadb_folder/mariadb" "$mariadb_port"
echo "MariaDB for the tests listens on 127.0.0.1:$VALHALLA_TEST_MYSQL_PORT"
end_stage

begin_stage "test"
status=0
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j2 --timeout 300 "$@" ||
    status=$?
end_stage

exit "$status"
