#!/usr/bin/env bash
# Checks start.sh next to an installed tree, with and without HTTPS:
#
#   start_sh_test.sh BUILD_DIR
#
#   1. installs BUILD_DIR (already built) with cmake --install into a temporary
#      prefix and makes a self-signed certificate there with the openssl command
#   2. SSL_CERT_PATH or SSL_KEY_PATH naming a missing file: start.sh exits 1 and
#      its message names the variable
#   3. both naming valid files: the server serves GET /hello over HTTPS and its
#      log says it serves HTTPS with that certificate
#   4. neither set: the server answers GET /hello over plain HTTP
#
# Servers bind 127.0.0.1 on a free port and are stopped by pid; the temporary
# folder is removed however the script ends. Exits non-zero on the first failure.
set -euo pipefail

# shellcheck source=tests/support/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/ports.sh"

build_dir=${1:?usage: start_sh_test.sh BUILD_DIR}
temp=$(mktemp -d "${TMPDIR:-/tmp}/valhalla-start-sh.XXXXXX")
prefix=$temp/prefix
server_pid=""
port=""

# Upper bounds in seconds, so a hung step fails the test instead of blocking it.
step_timeout=120
server_start_timeout=30
server_stop_timeout=20

fail() {
    echo "start_sh_test.sh: $*" >&2
    exit 1
}

# Sends SIGTERM to the server and waits for it to exit, then SIGKILL after
# $server_stop_timeout seconds.
stop_server() {
    local pid=$server_pid waited
    server_pid=""
    if [[ -z $pid ]]; then
        return 0
    fi
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
    wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317 # shellcheck does not see that the EXIT trap calls it
cleanup() {
    local status=$?
    stop_server || true
    rm -rf "$temp"
    exit "$status"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Replaces the calling shell with prefix/start.sh, so call it in a subshell. env and
# start.sh exec in turn, so the subshell's pid becomes the server's. The
# environment has only PATH, HOME, FLASK_HOST, FLASK_PORT and the assignments
# given as arguments, so nothing of the caller's environment (SSL_CERT_PATH,
# MYSQL_HOST, ...) leaks in. Output goes to $log.
exec_start_sh() {
    exec env -i PATH="$PATH" HOME="$temp" FLASK_HOST=127.0.0.1 FLASK_PORT="$port" "$@" \
        "$prefix/start.sh" </dev/null >"$log" 2>&1
}

# Starts start.sh in the background with the assignments given as arguments and
# waits until `curl $scheme://127.0.0.1:$port/healthz` returns 200.
start_server() {
    local scheme=$1 waited
    shift
    port=$(free_tcp_port)
    log=$temp/server-$scheme.log
    (exec_start_sh "$@") &
    server_pid=$!
    for ((waited = 0; waited < server_start_timeout * 10; waited++)); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            server_pid=""
            cat "$log" >&2
            fail "start.sh exited during start-up; its output is above"
        fi
        if curl -fsk --max-time 2 -o /dev/null "$scheme://127.0.0.1:$port/healthz"; then
            return 0
        fi
        sleep 0.1
    done
    cat "$log" >&2
    fail "no 200 for $scheme://127.0.0.1:$port/healthz within ${server_start_timeout} s"
}

# Fails unless GET $1 returns 200 with a body that contains "message".
expect_hello() {
    local url=$1 body=$temp/body status
    : >"$body"
    # curl prints 000 as the status when no response arrived.
    status=$(curl -sSk --max-time 5 -o "$body" -w '%{http_code}' "$url") || true
    if [[ $status != 200 ]] || ! grep -qF '"message"' "$body"; then
        fail "GET $url returned status $status and body '$(cat "$body")', expected 200 with a message"
    fi
    echo "GET $url: 200 $(cat "$body")"
}

# Fails unless start.sh, run with the assignments after $1, exits with status 1
# and its output names the variable $1. ctest's timeout bounds a hang.
expect_rejected() {
    local variable=$1 status=0
    shift
    port=$(free_tcp_port)
    log=$temp/rejected-$variable.log
    (exec_start_sh "$@") || status=$?
    if ((status != 1)); then
        cat "$log" >&2
        fail "start.sh with a missing $variable file exited with $status, expected 1"
    fi
    if ! grep -qF "$variable" "$log"; then
        cat "$log" >&2
        fail "start.sh with a missing $variable file did not name $variable"
    fi
    echo "missing $variable file: exit 1, $(head -n 1 "$log")"
}

timeout "$step_timeout" cmake --install "$build_dir" --prefix "$prefix" >"$temp/install.log" ||
    { cat "$temp/install.log" >&2; fail "cmake --install $build_dir failed"; }
[[ -x $prefix/start.sh && -x $prefix/bin/valhalla ]] ||
    fail "the install has no start.sh or bin/valhalla next to each other"
certificate=$prefix/certs/server.crt
key=$prefix/certs/server.key
mkdir -p "$prefix/certs"
timeout "$step_timeout" openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -days 2 -subj /CN=valhalla-start-sh -keyout "$key" -out "$certificate" \
    >"$temp/openssl.log" 2>&1 || { cat "$temp/openssl.log" >&2; fail "openssl req failed"; }

expect_rejected SSL_CERT_PATH SSL_CERT_PATH="$temp/missing.crt" SSL_KEY_PATH="$key"
expect_rejected SSL_KEY_PATH SSL_CERT_PATH="$certificate" SSL_KEY_PATH="$temp/missing.key"

start_server https SSL_CERT_PATH="$certificate" SSL_KEY_PATH="$key"
expect_hello "https://127.0.0.1:$port/hello"
grep -qF "serving HTTPS certificate=$certificate" "$log" ||
    { cat "$log" >&2; fail "the log does not say that it serves HTTPS with $certificate"; }
if curl -fs --max-time 5 -o /dev/null "http://127.0.0.1:$port/hello"; then
    fail "plain HTTP succeeded on the HTTPS port"
fi
stop_server

start_server http
expect_hello "http://127.0.0.1:$port/hello"
grep -qF "serving plain HTTP" "$log" ||
    { cat "$log" >&2; fail "the log does not say that it serves plain HTTP"; }
stop_server

echo "start_sh_test.sh: all checks passed"
