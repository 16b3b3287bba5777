#!/usr/bin/env bash
# Compares valhalla's connection layer with a stock Poco HTTPServer on 127.0.0.1.
#
# Both servers serve GET /hello with the same JSON body. Every result is a ratio
# against the stock server measured in the same run on the same machine, because
# absolute numbers depend on the machine and on whatever else runs on it. Steps:
#   1. Build valhalla, the hello plugin and valhalla_stock_server in build-bench
#      (Release, VALHALLA_BUILD_BENCH=ON); an existing build is reused.
#   2. Start valhalla (only hello.so in its plugin folder, LOG_LEVEL=warn) and the
#      stock server, THREADS request threads each, on two free loopback ports.
#   3. For each connection count, run wrk against the two servers in turns
#      (valhalla, stock, valhalla, stock, ...) for PAIRS pairs and take the median
#      of the paired ratios valhalla req/s / stock req/s.
#   4. Run idle_clients.py with IDLE_SMALL idle keep-alive connections against
#      both servers, then with IDLE_LARGE against valhalla alone, reading its VmRSS
#      and thread count while the connections are open.
#   5. Print Markdown tables of every run and of the results against the targets.
#      Each wrk run also records the server's CPU time (user + system, from
#      /proc/PID/stat) per request, because client and server share the CPUs.
#
# With TLS=1 both servers serve HTTPS with the same self-signed EC P-256
# certificate, made by the openssl command: valhalla through SSL_CERT_PATH and
# SSL_KEY_PATH, the stock server through a SecureServerSocket with valhalla's
# protocol versions and TLS 1.2 suites. wrk then requests https:// URLs, and
# step 4 is skipped, because idle_clients.py speaks plain HTTP only.
#
# Environment overrides (defaults in brackets): BUILD_DIR [build-bench],
# DURATION [10s], PAIRS [3], CONNECTIONS ["64 256"], WRK_THREADS [2],
# THREADS [64], IDLE_SMALL [256], IDLE_LARGE [10000], FRESH [200], TLS [0].
# With the defaults the measurements take about 3 minutes, plus the build.
# Everything it starts binds 127.0.0.1 and is stopped by PID on exit.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench_dir/../.." && pwd)
# shellcheck source=tests/bench/bench_support.sh
source "$bench_dir/bench_support.sh"
bench_name=connection_bench
build_dir=${BUILD_DIR:-$root/build-bench}
duration=${DURATION:-10s}
pairs=${PAIRS:-3}
read -r -a connection_counts <<<"${CONNECTIONS:-64 256}"
wrk_threads=${WRK_THREADS:-2}
threads=${THREADS:-64}
idle_small=${IDLE_SMALL:-256}
idle_large=${IDLE_LARGE:-10000}
fresh=${FRESH:-200}
tls=${TLS:-0}
case $tls in
    0) scheme=http ;;
    1) scheme=https ;;
    *)
        echo "connection_bench: TLS must be 0 or 1, got '$tls'" >&2
        exit 2
        ;;
esac

work_dir=$(mktemp -d -t valhalla-bench.XXXXXX)

cleanup() {
    stop_servers
    rm -rf "$work_dir"
}
trap cleanup EXIT

# Makes a self-signed EC P-256 certificate and key for 127.0.0.1 in $work_dir.
make_certificate() {
    certificate=$work_dir/bench.crt
    key=$work_dir/bench.key
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=valhalla-bench -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$key" -out "$certificate" >"$work_dir/openssl.log" 2>&1 ||
        { cat "$work_dir/openssl.log" >&2; fail "openssl req failed"; }
}

start_valhalla() {
    local tls_settings=()
    if [[ $tls == 1 ]]; then
        tls_settings=(SSL_CERT_PATH="$certificate" SSL_KEY_PATH="$key")
    fi
    mkdir -p "$work_dir/valhalla/plugins"
    cp "$build_dir/plugins/hello.so" "$work_dir/valhalla/plugins/"
    # A clean environment, so settings in the caller's environment (MYSQL_HOST,
    # WORKERS, ...) do not change what is measured. The working folder has no .env.
    (cd "$work_dir/valhalla" && exec env -i PATH="$PATH" HOME="$work_dir/valhalla" \
        FLASK_HOST=127.0.0.1 FLASK_PORT="$valhalla_port" SERVER_THREADS="$threads" \
        PLUGIN_DIR="$work_dir/valhalla/plugins" SQLITE_PATH="$work_dir/valhalla/var/valhalla.db" \
        LOG_LEVEL=warn "${tls_settings[@]}" "$build_dir/bin/valhalla") >"$work_dir/valhalla.log" 2>&1 &
    valhalla_pid=$!
    started_pids+=("$valhalla_pid")
    wait_ready valhalla "$valhalla_pid" "$valhalla_port" "$work_dir/valhalla.log"
}

start_stock() {
    local tls_arguments=()
    if [[ $tls == 1 ]]; then
        tls_arguments=("$certificate" "$key")
    fi
    "$build_dir/bin/valhalla_stock_server" "$stock_port" "$threads" "${tls_arguments[@]}" \
        >"$work_dir/stock.log" 2>&1 &
    stock_pid=$!
    started_pids+=("$stock_pid")
    wait_ready "stock server" "$stock_pid" "$stock_port" "$work_dir/stock.log"
}

# Prints the value of KEY from an idle_clients.py output file.
idle_value() {
    sed -n "s/^$2=//p" "$1" | tail -n 1
}

run_idle() {
    local label=$1 port=$2 idle=$3 pid=$4 output="$work_dir/idle-$1.txt"
    log "idle_clients.py: $idle idle connections to $label, $fresh fresh requests"
    python3 "$bench_dir/idle_clients.py" --port "$port" --idle "$idle" --fresh "$fresh" \
        --pid "$pid" >"$output" || { cat "$output" >&2; fail "idle_clients.py failed on $label"; }
    sed "s/^/  $label: /" "$output" >&2
}

# --- set-up ------------------------------------------------------------------

require_tool wrk wrk
require_tool curl curl
require_tool python3 python3
require_tool cmake cmake
if [[ $tls == 1 ]]; then
    require_tool openssl openssl
fi

# valhalla needs one descriptor per idle connection.
ulimit -n "$(ulimit -Hn)"
open_files=$(ulimit -n)
if [[ "$open_files" != unlimited ]] && ((open_files < idle_large + 100)); then
    fail "the open-files hard limit is $open_files, below IDLE_LARGE=$idle_large plus headroom;" \
        "raise it or set IDLE_LARGE lower"
fi

clock_ticks=$(getconf CLK_TCK)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
build valhalla hello valhalla_stock_server
if [[ $tls == 1 ]]; then
    make_certificate
fi
read -r valhalla_port stock_port < <(free_ports 2)
start_valhalla
start_stock
valhalla_serving=$(serving_pid "$valhalla_pid")
log "valhalla pid $valhalla_pid (serving pid $valhalla_serving) on port $valhalla_port," \
    "stock pid $stock_pid on port $stock_port, $threads threads each, $scheme"

# --- throughput: alternating wrk runs ---------------------------------------

: >"$work_dir/wrk_results"
for connections in "${connection_counts[@]}"; do
    for ((pair = 1; pair <= pairs; pair++)); do
        run_wrk valhalla "$valhalla_port" "$valhalla_serving" "$connections"
        sleep 1
        run_wrk stock "$stock_port" "$stock_pid" "$connections"
        sleep 1
    done
done

# --- idle connections ---------------------------------------------------------

if [[ $tls == 0 ]]; then
    run_idle "valhalla-$idle_small" "$valhalla_port" "$idle_small" "$valhalla_serving"
    run_idle "stock-$idle_small" "$stock_port" "$idle_small" "$stock_pid"
    sleep 1
    valhalla_rss_before=$(awk '/^VmRSS:/ {print $2}' "/proc/$valhalla_serving/status")
    run_idle "valhalla-$idle_large" "$valhalla_port" "$idle_large" "$valhalla_serving"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

stop_servers

# --- report -------------------------------------------------------------------

echo
echo "## wrk runs (-t$wrk_threads -d$duration --latency, GET $scheme:// /hello, in the order run)"
echo
echo "| run | server | connections | req/s | p99 latency (ms) | socket errors | non-2xx/3xx |" \
    "server CPU per request (us) |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
awk '{ printf "| %d | %s | %s | %s | %s | %s | %s | %s |\n", NR, $1, $2, $3, $4, $5, $6, $7 }' \
    "$work_dir/wrk_results"

echo
echo "## Results"
echo
echo "| measurement | valhalla | stock Poco | result | target | verdict |"
echo "| --- | ---: | ---: | ---: | --- | --- |"
for connections in "${connection_counts[@]}"; do
    v_rates=$(awk -v c="$connections" '$1 == "valhalla" && $2 == c {print $3}' "$work_dir/wrk_results")
    s_rates=$(awk -v c="$connections" '$1 == "stock" && $2 == c {print $3}' "$work_dir/wrk_results")
    ratios=$(paste <(echo "$v_rates") <(echo "$s_rates") |
        awk '{ if ($2 > 0) printf "%.3f\n", $1 / $2; else print "inf" }')
    ratio=$(echo "$ratios" | median)
    ratio_list=$(echo "$ratios" | paste -sd, - | sed 's/,/, /g')
    v_median=$(echo "$v_rates" | median)
    s_median=$(echo "$s_rates" | median)
    v_errors=$(awk -v c="$connections" '$1 == "valhalla" && $2 == c {n += $5 + $6} END {print n + 0}' \
        "$work_dir/wrk_results")
    s_errors=$(awk -v c="$connections" '$1 == "stock" && $2 == c {n += $5 + $6} END {print n + 0}' \
        "$work_dir/wrk_results")
    # The targets are for plain HTTP, so a TLS run only reports its ratios.
    if [[ $tls == 1 ]]; then
        met=""
        target="none"
    elif [[ "$connections" == 64 ]]; then
        met=$(awk -v r="$ratio" 'BEGIN { print (r >= 1.0) ? 1 : 0 }')
        stretch=$(awk -v r="$ratio" 'BEGIN { print (r >= 1.2) ? "met" : "not met" }')
        target=">= 1.0 x stock (stretch 1.2 x: $stretch)"
    elif [[ "$connections" == 256 ]]; then
        met=$(awk -v r="$ratio" -v e="$v_errors" 'BEGIN { print (r >= 2.0 && e == 0) ? 1 : 0 }')
        target=">= 2 x stock, zero valhalla errors"
    else
        met=""
        target="none"
    fi
    echo "| req/s at $connections connections (median of $pairs) | $v_median | $s_median |" \
        "$ratio x (pairs: $ratio_list) | $target | ${met:+$(verdict "$met")} |"
    echo "| errors at $connections connections (socket + non-2xx/3xx, all runs) | $v_errors |" \
        "$s_errors | | | |"
    v_cpu=$(awk -v c="$connections" '$1 == "valhalla" && $2 == c {print $7}' \
        "$work_dir/wrk_results" | median)
    s_cpu=$(awk -v c="$connections" '$1 == "stock" && $2 == c {print $7}' \
        "$work_dir/wrk_results" | median)
    echo "| server CPU per request at $connections connections (us, median) | $v_cpu | $s_cpu |" \
        "| | |"
done

if [[ $tls == 0 ]]; then
    small_v="$work_dir/idle-valhalla-$idle_small.txt"
    small_s="$work_dir/idle-stock-$idle_small.txt"
    large_v="$work_dir/idle-valhalla-$idle_large.txt"
    fresh_cell() {
        local p99
        p99=$(idle_value "$1" fresh_p99_ms)
        if [[ "$p99" == none ]]; then p99="no p99"; else p99="$p99 ms p99"; fi
        echo "$p99 ($(idle_value "$1" fresh_ok) of $(idle_value "$1" fresh_attempted) ok," \
            "$(idle_value "$1" fresh_failed) failed, $(idle_value "$1" fresh_timed_out) timed out)"
    }
    small_p99=$(idle_value "$small_v" fresh_p99_ms)
    small_met=$(awk -v p="$small_p99" -v ok="$(idle_value "$small_v" fresh_ok)" \
        -v n="$(idle_value "$small_v" fresh_attempted)" \
        'BEGIN { print (p != "none" && p + 0 < 50 && ok == n) ? 1 : 0 }')
    echo "| fresh request with $idle_small idle connections | $(fresh_cell "$small_v") |" \
        "$(fresh_cell "$small_s") | | p99 < 50 ms, no failures | $(verdict "$small_met") |"
    echo "| idle connections answered / still open at the end ($idle_small) |" \
        "$(idle_value "$small_v" idle_answered) / $(idle_value "$small_v" idle_still_open) |" \
        "$(idle_value "$small_s" idle_answered) / $(idle_value "$small_s" idle_still_open) | | | |"
    large_rss=$(idle_value "$large_v" server_rss_kib)
    large_met=$(awk -v kib="$large_rss" -v open="$(idle_value "$large_v" idle_still_open)" \
        -v want="$idle_large" 'BEGIN { print (kib != "None" && kib / 1024 < 100 && open == want) ? 1 : 0 }')
    echo "| fresh request with $idle_large idle connections | $(fresh_cell "$large_v") | | | | |"
    echo "| VmRSS with $idle_large idle connections open | $(rss_mib "$large_rss") MiB" \
        "(before: $(rss_mib "$valhalla_rss_before") MiB) | | | < 100 MiB, all open |" \
        "$(verdict "$large_met") |"
    echo "| idle connections answered / still open at the end ($idle_large) |" \
        "$(idle_value "$large_v" idle_answered) / $(idle_value "$large_v" idle_still_open) | | | | |"
    echo "| threads with $idle_large idle connections | $(idle_value "$large_v" server_threads) |" \
        "| | | |"
fi
echo
echo "Load average (1, 5, 15 min): $load_before before the build, $load_after after the last run."
