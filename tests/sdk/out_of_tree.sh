#!/usr/bin/env bash
# Checks that a plugin builds and runs outside the source tree, against an
# installed valhalla only:
#
#   1. configures and builds valhalla and the bundled plugins into $BUILD_DIR
#      (default build; an existing folder is reused with its cached settings)
#   2. installs them with cmake --install into a temporary prefix
#   3. builds examples/out-of-tree-plugin in a fresh folder, with that prefix as
#      the only CMAKE_PREFIX_PATH
#   4. copies example.so into the prefix's plugins/ folder, starts
#      prefix/bin/valhalla on a free port of 127.0.0.1 in a temporary working
#      folder, and checks GET /api/v1/example with the default greeting and with
#      --define plugins.example.greeting=...
#
# Each stage prints its duration. The script stops the servers it started by
# their pid and removes its temporary folder however it ends, and exits non-zero
# on the first failure.
#
# Environment: BUILD_DIR sets the build folder; VALHALLA_WERROR=ON|OFF, when set,
# is passed to the configure step; KEEP_TEMP=1 keeps the temporary folder.
set -euo pipefail

repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repository"
# shellcheck source=tests/support/ports.sh
source "$repository/tests/support/ports.sh"
# shellcheck source=tests/support/stages.sh
source "$repository/tests/support/stages.sh"

build_dir=${BUILD_DIR:-build}
temp=$(mktemp -d "${TMPDIR:-/tmp}/valhalla-out-of-tree.XXXXXX")
prefix=$temp/prefix
example_build=$temp/example-build
server_pid=""
required_plugins=example

# Upper bounds in seconds, so a hung step fails the run instead of blocking it.
build_timeout=1800
step_timeout=300
server_start_timeout=30
server_stop_timeout=20

fail() {
    echo "out_of_tree.sh: $*" >&2
    exit 1
}

# Sends SIGTERM to the server and waits for it to exit, then SIGKILL after
# $server_stop_timeout seconds. Fails when the server did not exit with status 0.
stop_server() {
    local pid=$server_pid status=0 waited
    server_pid=""
    kill -TERM "$pid" 2>/dev/null || true
    for ((waited = 0; waited < server_stop_timeout * 10; waited++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        fail "valhalla pid=$pid did not stop within ${server_stop_timeout} s of SIGTERM; killed it"
    fi
    wait "$pid" || status=$?
    if ((status != 0)); then
        fail "valhalla pid=$pid exited with status $status after SIGTERM, expected 0"
    fi
}

# shellcheck disable=SC2317 # shellcheck does not see that the EXIT trap calls it
cleanup() {
    local status=$? waited
    if [[ -n $server_pid ]]; then
        # SIGTERM first, so valhalla stops its worker processes itself.
        kill -TERM "$server_pid" 2>/dev/null || true
        for ((waited = 0; waited < server_stop_timeout * 10; waited++)); do
            if ! kill -0 "$server_pid" 2>/dev/null; then
                break
            fi
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n $stage_name ]]; then
        echo "==> stage $stage_name failed after $((SECONDS - stage_started)) s" >&2
    fi
    if [[ ${KEEP_TEMP:-0} == 1 ]]; then
        echo "temporary folder kept: $temp" >&2
    else
        rm -rf "$temp"
    fi
    exit "$status"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts prefix/bin/valhalla in the working folder $1 with the remaining
# arguments, and waits until /healthz returns 200. The environment contains only
# what the test sets, so no MYSQL_HOST or PLUGIN_DIR of the caller leaks in, and
# PLUGINS_REQUIRED=$required_plugins makes start-up fail if those do not load.
start_server() {
    local work=$1 waited
    shift
    mkdir -p "$work"
    port=$(free_tcp_port)
    (
        cd "$work"
        exec env -i PATH="$PATH" HOME="$work" FLASK_HOST=127.0.0.1 FLASK_PORT="$port" \
            PLUGINS_REQUIRED="$required_plugins" "$prefix/bin/valhalla" "$@" </dev/null \
            >"$work/server.log" 2>&1
    ) &
    server_pid=$!
    for ((waited = 0; waited < server_start_timeout * 10; waited++)); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            server_pid=""
            cat "$work/server.log" >&2
            fail "valhalla exited during start-up; its log is above"
        fi
        if curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$port/healthz"; then
            echo "valhalla pid=$server_pid serves http://127.0.0.1:$port from $work"
            return 0
        fi
        sleep 0.1
    done
    cat "$work/server.log" >&2
    fail "valhalla did not answer /healthz within ${server_start_timeout} s; its log is above"
}

# Requests path $1 and fails unless the status is 200 and the body contains the
# exact text $2.
expect_body() {
    local path=$1 expected=$2 body status
    body=$temp/body
    : >"$body"
    # curl prints 000 as the status when no response arrived.
    status=$(curl -sS --max-time 5 -o "$body" -w '%{http_code}' "http://127.0.0.1:$port$path") ||
        true
    if [[ $status != 200 ]]; then
        fail "GET $path returned status $status, expected 200; body: $(cat "$body")"
    fi
    if ! grep -qF -- "$expected" "$body"; then
        fail "GET $path returned $(cat "$body"), expected it to contain $expected"
    fi
    echo "GET $path: 200 $(cat "$body")"
}

werror_option=()
if [[ -n ${VALHALLA_WERROR:-} ]]; then
    werror_option=(-DVALHALLA_WERROR="$VALHALLA_WERROR")
fi

begin_stage "build-valhalla"
if [[ -f $build_dir/CMakeCache.txt ]]; then
    timeout "$step_timeout" cmake -S . -B "$build_dir" "${werror_option[@]}"
else
    # Tests stay off because only the host and the bundled plugins are installed.
    timeout "$step_timeout" cmake -S . -B "$build_dir" -DVALHALLA_BUILD_TESTS=OFF \
        "${werror_option[@]}"
fi
timeout "$build_timeout" cmake --build "$build_dir" -j"$(nproc)" \
    --target valhalla hello health items
end_stage

begin_stage "install"
timeout "$step_timeout" cmake --install "$build_dir" --prefix "$prefix" >"$temp/install.log"
for file in bin/valhalla start.sh plugins/hello.so plugins/health.so plugins/items.so \
    etc/valhalla.properties include/valhalla/sdk/sdk.hpp \
    lib/cmake/ValhallaSDK/ValhallaSDKConfig.cmake \
    lib/cmake/ValhallaSDK/ValhallaSDKConfigVersion.cmake \
    lib/cmake/ValhallaSDK/ValhallaSDKTargets.cmake; do
    if [[ ! -f $prefix/$file ]]; then
        fail "cmake --install did not create $prefix/$file"
    fi
done
echo "installed into $prefix"
end_stage

begin_stage "build-example"
# The package registry is off and CMAKE_PREFIX_PATH contains only the prefix, so the
# SDK can come from the install and nowhere else.
timeout "$step_timeout" env -u CMAKE_PREFIX_PATH cmake -S examples/out-of-tree-plugin \
    -B "$example_build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_COMPILE_WARNING_AS_ERROR="${VALHALLA_WERROR:-OFF}"
sdk_dir=$(sed -n 's/^ValhallaSDK_DIR:PATH=//p' "$example_build/CMakeCache.txt")
if [[ $sdk_dir != "$prefix/lib/cmake/ValhallaSDK" ]]; then
    fail "the example found ValhallaSDK in '$sdk_dir', expected $prefix/lib/cmake/ValhallaSDK"
fi
timeout "$step_timeout" cmake --build "$example_build" -j"$(nproc)"
end_stage

begin_stage "drop-in"
required_plugins=""
start_server "$temp/run-drop-in"
status=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/example")
if [[ $status != 404 ]]; then
    fail "GET /api/v1/example returned $status before the plugin was dropped in, expected 404"
fi
# Written under a dotfile name, which the server ignores, then renamed into place.
cp "$example_build/example.so" "$prefix/plugins/.example.so.tmp"
mv "$prefix/plugins/.example.so.tmp" "$prefix/plugins/example.so"
for ((waited = 0; waited < 150; waited++)); do
    status=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' \
        "http://127.0.0.1:$port/api/v1/example") || true
    [[ $status == 200 ]] && break
    sleep 0.1
done
expect_body /api/v1/example '"greeting":"hello from example"'
stop_server
required_plugins=example
end_stage

begin_stage "serve-default"
start_server "$temp/run-default"
expect_body /hello '"message":"hello"'
expect_body /api/v1/example '"greeting":"hello from example"'
expect_body '/api/v1/example?name=Ada' '"name":"Ada"'
if ! grep -q 'plugin loaded name=example' "$temp/run-default/server.log"; then
    fail "the server log has no 'plugin loaded name=example' line"
fi
stop_server
end_stage

begin_stage "serve-define"
start_server "$temp/run-define" --define plugins.example.greeting=greeting-from-define
expect_body /api/v1/example '"greeting":"greeting-from-define"'
stop_server
end_stage

echo "out-of-tree plugin build and install check passed"
