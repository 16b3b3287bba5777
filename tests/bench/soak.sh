#!/usr/bin/env bash
# Soak test: mixed load for a fixed time with WORKERS=2, one plugin swap and one
# worker stop in the middle, against a private MariaDB. Passes when no request got
# an unexpected 5xx, wrk saw no socket error, and the RSS of every worker that
# lived through the run stayed within 10 % of its value after warm-up.
#
#   tests/bench/soak.sh
#
# The load (tests/bench/soak.lua) mixes item reads by random id, item writes, hello,
# a swapped plugin and requests that must fail with 404 or 400. At a sixth of the
# run the swap plugin is replaced by a new version; at five sixths one worker gets
# SIGTERM, drains, and the supervisor starts a replacement. RSS is sampled every 2 s;
# a worker's RSS counts from WARMUP seconds after its first sample, and a worker
# is judged when it has counted samples at least 20 s apart. SIGKILL is left out
# on purpose: a killed worker's open connections are reset, which wrk counts as
# socket errors, and the integration tests cover that case.
#
# Environment overrides (defaults in brackets): BUILD_DIR [build], DURATION [60]
# seconds, CONNECTIONS [32], WRK_THREADS [2], WARMUP [15] seconds. Everything it starts binds 127.0.0.1 and is
# stopped by PID on exit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/support/mariadb.sh
source "$root/tests/support/mariadb.sh"
build_dir=${BUILD_DIR:-$root/build}
duration=${DURATION:-60}
connections=${CONNECTIONS:-32}
wrk_threads=${WRK_THREADS:-2}
warmup=${WARMUP:-15}
item_count=1000

work_dir=$(mktemp -d -t valhalla-soak.XXXXXX)
server_pid=""
mariadb_running=""

log() {
    echo "soak: $*" >&2
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
    if [[ -n $mariadb_running ]]; then
        mariadb_stop "$work_dir/mariadb"
    fi
    rm -rf "$work_dir"
}
trap cleanup EXIT

for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { log "$tool not found; install the Debian package $tool"; exit 1; }
done
if ! [[ $duration =~ ^[1-9][0-9]*$ ]] || ((duration < 30)); then
    log "DURATION is '$duration', expected a whole number of seconds of 30 or more"
    exit 2
fi

log "building valhalla and the plugins in $build_dir"
cmake -S "$root" -B "$build_dir" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target valhalla hello items swap_v1 swap_v2 >/dev/null

mariadb_start "$work_dir/mariadb" "$(mariadb_free_port)" >/dev/null
mariadb_running=yes

plugins=$work_dir/plugins
mkdir -p "$plugins"
cp "$build_dir/plugins/hello.so" "$build_dir/plugins/items.so" "$plugins/"
cp "$build_dir/test-plugins/swap_v1.so" "$plugins/swap.so"
port=$(mariadb_free_port)

(
    cd "$work_dir"
    exec env -i PATH="$PATH" HOME="$work_dir" FLASK_HOST=127.0.0.1 FLASK_PORT="$port" \
        WORKERS=2 LOG_LEVEL=warn PLUGIN_DIR="$plugins" \
        MYSQL_HOST="$VALHALLA_TEST_MYSQL_HOST" MYSQL_PORT="$VALHALLA_TEST_MYSQL_PORT" \
        MYSQL_USER="$VALHALLA_TEST_MYSQL_USER" MYSQL_PASSWORD="$VALHALLA_TEST_MYSQL_PASSWORD" \
        MYSQL_DATABASE="$VALHALLA_TEST_MYSQL_DATABASE" \
        "$build_dir/bin/valhalla" </dev/null >"$work_dir/valhalla.log" 2>&1
) &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { log "valhalla did not start"; cat "$work_dir/valhalla.log" >&2; exit 1; }

log "seeding $item_count items"
for ((i = 1; i <= item_count; i++)); do
    printf '{"name":"seed %d","price":"1.00"}\n' "$i"
done | while read -r body; do
    curl -fs -o /dev/null -H 'Content-Type: application/json' -d "$body" \
        "http://127.0.0.1:$port/api/v1/items"
done

# Prints "pid rss_kib" for each worker process, the supervisor's children.
worker_rss() {
    ps --ppid "$server_pid" -o pid=,rss= || true
}

sample_rss() {
    local second=$1
    while read -r pid rss; do
        echo "$second $pid $rss"
    done < <(worker_rss) >>"$work_dir/rss.txt"
}

log "running ${duration}s of mixed load with $connections connections"
sed "s/ITEM_COUNT or 1000/$item_count/" "$root/tests/bench/soak.lua" >"$work_dir/soak.lua"
wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -s "$work_dir/soak.lua" \
    "http://127.0.0.1:$port" >"$work_dir/wrk.txt" 2>&1 &
wrk_pid=$!
swap_at=$((duration / 6))
stop_at=$((5 * duration / 6))
stopped_worker=""
for ((second = 0; second < duration; second++)); do
    if ((second % 2 == 0)); then
        sample_rss "$second"
    fi
    if ((second == swap_at)); then
        cp "$build_dir/test-plugins/swap_v2.so" "$plugins/.swap.so.tmp"
        mv "$plugins/.swap.so.tmp" "$plugins/swap.so"
        log "swapped swap.so to version 2 at ${second}s"
    fi
    if ((second == stop_at)); then
        stopped_worker=$(worker_rss | awk 'NR == 1 { print $1 }')
        kill -TERM "$stopped_worker"
        log "sent SIGTERM to worker $stopped_worker at ${second}s"
    fi
    sleep 1
done
wait "$wrk_pid" || true
sample_rss "$duration"

cat "$work_dir/wrk.txt" >&2
read -r ok client server other < <(awk '/^soak_counts/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); value[i] = kv[2] }
    print value[2], value[3], value[4], value[5] }' "$work_dir/wrk.txt")
socket_errors=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$work_dir/wrk.txt")
socket_errors=${socket_errors:-0}
rps=$(awk '/Requests\/sec:/ { print $2 }' "$work_dir/wrk.txt")
p99=$(awk '/^ +99%/ { print $2 }' "$work_dir/wrk.txt")
serving=$(curl -fs "http://127.0.0.1:$port/test/swap" || echo "request failed")

# A worker's growth is its last counted sample over its first one.
rss_report=$(awk -v warmup="$warmup" '
    !($2 in seen) { seen[$2] = $1 }
    $1 >= seen[$2] + warmup {
        if (!($2 in first)) { first[$2] = $3; first_at[$2] = $1 }
        last[$2] = $3; last_at[$2] = $1
    }
    END {
        worst = 0; counted = 0
        for (pid in first) {
            if (last_at[pid] - first_at[pid] < 20) continue
            growth = (last[pid] - first[pid]) / first[pid] * 100
            printf "worker %s: %d KiB at %ds, %d KiB at %ds (%+.1f %%)\n", pid, first[pid], first_at[pid], last[pid], last_at[pid], growth
            if (growth > worst) worst = growth
            counted++
        }
        printf "max_growth %.1f counted %d\n", worst, counted
    }' "$work_dir/rss.txt")
echo "$rss_report" | grep -v '^max_growth' >&2
read -r _ max_growth _ counted < <(echo "$rss_report" | grep '^max_growth')

echo "| requests/s | p99 | 2xx | 4xx (expected) | 5xx | socket errors | max worker RSS growth | after swap |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
echo "| $rps | $p99 | $ok | $client | $server | $socket_errors | $max_growth % ($counted workers) | $serving |"

status=0
if ((server != 0)); then
    log "FAIL: $server responses with status 5xx"
    grep -E 'error|critical' "$work_dir/valhalla.log" | tail -20 >&2 || true
    status=1
fi
if ((socket_errors != 0)); then
    log "FAIL: $socket_errors socket errors"
    status=1
fi
if ((counted == 0)) || awk -v g="$max_growth" 'BEGIN { exit !(g > 10) }'; then
    log "FAIL: worker RSS grew by more than 10 % after warm-up, or no worker lived long enough"
    status=1
fi
if [[ $serving != *"2"* ]]; then
    log "FAIL: GET /test/swap after the swap returned '$serving'"
    status=1
fi
grep -q "worker died pid=$stopped_worker" "$work_dir/valhalla.log" ||
    { log "FAIL: the supervisor did not report the stopped worker $stopped_worker"; status=1; }
exit "$status"
