#!/usr/bin/env bash
# Starts the valhalla server; arguments go to the server unchanged, so
# `./start.sh --help` lists its options.
#
# In a source checkout (CMakeLists.txt next to this script) it first installs
# missing Debian packages when run as root, and otherwise prints the apt-get
# command and stops. Then it builds the server and the bundled plugins into
# build/. The build is incremental, so it only rebuilds what is missing or older
# than its sources. Next to an installed binary (bin/valhalla, no
# CMakeLists.txt) it never builds.
#
# The server runs in the folder that contains this script, whatever the caller's
# folder is, so etc/valhalla.properties, .env and var/ resolve there, and so do
# relative paths in settings. The server itself reads .env and decides between
# HTTP and HTTPS; this script only checks that files named by SSL_CERT_PATH and
# SSL_KEY_PATH in the environment are readable. It replaces itself with the
# server (exec), so signals such as SIGTERM and SIGHUP reach the server directly.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"

# Everything needed to build and run the server, without the test-only packages.
packages=(cmake g++ make pkg-config libpoco-dev libboost-dev libspdlog-dev libfmt-dev
    libmariadb-dev libssl-dev openssl ca-certificates)

install_packages() {
    local package missing=()
    if ! command -v dpkg-query >/dev/null; then
        return 0
    fi
    for package in "${packages[@]}"; do
        if ! dpkg-query -W -f='${db:Status-Status}\n' "$package" 2>/dev/null | grep -qx installed; then
            missing+=("$package")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if ((EUID != 0)); then
        echo "start.sh: missing packages: ${missing[*]}. Install them as root with:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends ${packages[*]}" >&2
        exit 1
    fi
    echo "start.sh: installing missing packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends "${packages[@]}" >&2
}

# Build output goes to stderr, so stdout carries only what the server prints.
build() {
    if [[ ! -f build/CMakeCache.txt ]]; then
        # Tests stay off here because they need test-only packages. tests/run.sh
        # switches them on in the same build folder.
        cmake -S . -B build -DVALHALLA_BUILD_TESTS=OFF >&2
    fi
    cmake --build build -j"$(nproc)" --target valhalla hello health items >&2
}

# Exits with a message unless the variable named $1 is unset, empty, or names a
# readable file.
check_readable_file() {
    local name=$1
    local path=${!name:-}
    if [[ -z $path ]]; then
        return 0
    fi
    if [[ ! -f $path || ! -r $path ]]; then
        if [[ $path == /* ]]; then
            echo "start.sh: $name=$path is not a readable file" >&2
        else
            echo "start.sh: $name=$path is not a readable file (relative to $root)" >&2
        fi
        exit 1
    fi
}

if [[ -f CMakeLists.txt ]]; then
    install_packages
    build
    binary=$root/build/bin/valhalla
elif [[ -x bin/valhalla ]]; then
    binary=$root/bin/valhalla
else
    echo "start.sh: neither a source checkout (CMakeLists.txt) nor an installed" \
        "bin/valhalla found in $root" >&2
    exit 1
fi

check_readable_file SSL_CERT_PATH
check_readable_file SSL_KEY_PATH
exec "$binary" "$@"
