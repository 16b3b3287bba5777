#!/usr/bin/env bash
# Measures what a live plugin swap costs clients that use keep-alive connections.
#
# Starts valhalla on 127.0.0.1 with WORKERS=2 and a plugin folder holding hello.so
# and swap.so (version 1). Then runs wrk against GET /test/swap in pairs: one run
# without a swap, and one run in which swap.so is replaced by version 2 (written
# to a dotfile, then renamed into place) SWAP_AFTER seconds in. Each run reports
# requests per second, p99 latency, non-2xx responses and socket errors, and the
# swap run also checks that version 2 serves afterwards.
#
# Environment overrides (defaults in brackets): BUILD_DIR [build], DURATION [10s],
# SWAP_AFTER [3], PAIRS [2], CONNECTIONS [64], WRK_THREADS [2], THREADS [64].
# Everything it starts binds 127.0.0.1 and is stopped by PID on exit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
duration=${DURATION:-10s}
swap_after=${SWAP_AFTER:-3}
pairs=${PAIRS:-2}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-2}
threads=${THREADS:-64}

work_dir=$(mktemp -d -t valhalla-swap-bench.XXXXXX)
server_pid=""

log() {
    echo "swap_bench: $*" >&2
}

cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work_dir"
}
trap cleanup EXIT

command -v wrk >/dev/null || { log "wrk not found; install the Debian package wrk"; exit 1; }
command -v curl >/dev/null || { log "curl not found; install the Debian package curl"; exit 1; }

log "building valhalla and the plugins in $build_dir"
cmake -S "$root" -B "$build_dir" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target valhalla hello swap_v1 swap_v2 >/dev/null

plugins=$work_dir/plugins
mkdir -p "$plugins"
cp "$build_dir/plugins/hello.so" "$plugins/"
cp "$build_dir/test-plugins/swap_v1.so" "$plugins/swap.so"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

(
    cd "$work_dir"
    exec env -i PATH="$PATH" HOME="$work_dir" FLASK_HOST=127.0.0.1 FLASK_PORT="$port" \
        WORKERS=2 SERVER_THREADS="$threads" LOG_LEVEL=warn PLUGIN_DIR="$plugins" \
        "$build_dir/bin/valhalla" </dev/null >"$work_dir/valhalla.log" 2>&1
) &
server_pid=$!
for _ in $(seq 1 100); do
    if curl -fs "http://127.0.0.1:$port/test/swap" >/dev/null 2>&1; then
        break
    fi
    sleep 0.1
done
curl -fs "http://127.0.0.1:$port/test/swap" >/dev/null || { log "valhalla did not start"; cat "$work_dir/valhalla.log" >&2; exit 1; }

version=1
# Prints "rps p99 non2xx socket_errors" for one wrk output file.
summarize() {
    awk '
        /Requests\/sec:/ { rps = $2 }
        /^ +99%/ { p99 = $2 }
        /Non-2xx or 3xx responses:/ { non2xx = $5 }
        /Socket errors:/ { gsub(",", ""); errors = $4 + $6 + $8 + $10 }
        END { printf "%s %s %d %d\n", rps, p99, non2xx, errors }
    ' "$1"
}

swap_plugin() {
    local next=$((3 - version))
    cp "$build_dir/test-plugins/swap_v$next.so" "$plugins/.swap.so.tmp"
    mv "$plugins/.swap.so.tmp" "$plugins/swap.so"
    version=$next
}

echo "| run | swap | req/s | p99 | non-2xx | socket errors | serves after |"
echo "| --- | --- | ---: | ---: | ---: | ---: | --- |"
for ((pair = 1; pair <= pairs; pair++)); do
    for swap in no yes; do
        output=$work_dir/wrk-$pair-$swap.txt
        wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency \
            "http://127.0.0.1:$port/test/swap" >"$output" 2>&1 &
        wrk_pid=$!
        if [[ $swap == yes ]]; then
            sleep "$swap_after"
            swap_plugin
        fi
        wait "$wrk_pid"
        sleep 2
        serving=$(curl -fs "http://127.0.0.1:$port/test/swap" || echo "request failed")
        read -r rps p99 non2xx errors < <(summarize "$output")
        echo "| $pair | $swap | $rps | $p99 | $non2xx | $errors | $serving |"
    done
done
log "the last swap installed version $version"
