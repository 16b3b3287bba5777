#!/usr/bin/env bash
# Compares valhalla's items and hello routes with two baselines on 127.0.0.1: a stock
# Poco HTTPServer that reads the same MariaDB table, and nginx serving a constant
# GET /hello, the practical ceiling for a tiny response.
#
# Steps:
#   1. Install the missing Debian packages when run as root (wrk, nginx-light, MariaDB,
#      the build packages). Build valhalla, the bundled plugins (hello, health, items)
#      and valhalla_stock_items_server in build-bench (Release,
#      VALHALLA_BUILD_BENCH=ON); an existing build is reused.
#   2. Start-up time with SQLite: start valhalla STARTS times (5) without MYSQL_*.
#      Each start has a fresh working folder and the same plugin folder. The time
#      runs from the launch to the first 200 on GET /hello, polled with curl every
#      2 ms.
#   3. Start a private MariaDB (tests/support/mariadb.sh) and valhalla with
#      MYSQL_* pointing at it, so that the items plugin creates its table. Load
#      10,000 rows in one INSERT ... SELECT over MariaDB's sequence table
#      seq_1_to_10000, and read them back through valhalla.
#   4. Start valhalla_stock_items_server (tests/bench/stock_items_server.cpp) and
#      nginx with a generated configuration in a temporary folder. Check that the
#      stock server returns the same JSON as valhalla for sample ids.
#   5. Read the RSS, PSS and private memory of every valhalla worker while idle.
#      Then, for each connection count, run wrk in alternating pairs:
#      GET /api/v1/items/{random id} (items.lua) on valhalla and the stock server,
#      GET /hello on valhalla and nginx, and GET /hello on valhalla and the stock
#      server. During the first 64-connection items run on valhalla, the workers'
#      RSS is sampled every 0.5 s.
#   6. Print Markdown tables of every run, the median paired ratios, memory and
#      start-up, and the targets, each marked met or not met.
#
# The exit status is 0 when every step ran, whether or not the targets are met, and
# non-zero when a step failed.
#
# Environment overrides (defaults in brackets): BUILD_DIR [build-bench],
# DURATION [10s], PAIRS [3], CONNECTIONS ["8 64 256"], WRK_THREADS [2],
# WORKERS [1] (valhalla's worker processes and nginx's worker_processes),
# SERVER_THREADS [32] (valhalla's and the stock server's request threads),
# MYSQL_POOL_SIZE [5 x nproc] (valhalla's pool per worker and the stock
# server's pool), STARTS [5]. With the defaults the wrk runs take about 10 minutes,
# plus the build. Everything it starts binds 127.0.0.1 and is stopped by PID on exit,
# also after a failure or Ctrl-C.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench_dir/../.." && pwd)
# shellcheck source=tests/bench/bench_support.sh
source "$bench_dir/bench_support.sh"
# shellcheck source=tests/support/mariadb.sh
source "$root/tests/support/mariadb.sh"
bench_name=items_bench
build_dir=${BUILD_DIR:-$root/build-bench}
duration=${DURATION:-10s}
pairs=${PAIRS:-3}
read -r -a connection_counts <<<"${CONNECTIONS:-8 64 256}"
wrk_threads=${WRK_THREADS:-2}
workers=${WORKERS:-1}
threads=${SERVER_THREADS:-32}
pool_size=${MYSQL_POOL_SIZE:-$((5 * $(nproc)))}
starts=${STARTS:-5}
scheme=http
item_count=10000
# Runs at this connection count carry the throughput targets and the RSS sample.
target_connections=64

work_dir=$(mktemp -d -t valhalla-items-bench.XXXXXX)
plugins=$work_dir/plugins
mariadb_running=""

cleanup() {
    stop_servers
    if [[ -n $mariadb_running ]]; then
        mariadb_stop "$work_dir/mariadb"
    fi
    rm -rf "$work_dir"
}
trap cleanup EXIT
# These traps exit through the EXIT trap, so Ctrl-C and SIGTERM also stop every server.
trap 'exit 130' INT
trap 'exit 143' TERM

# --- packages and settings ----------------------------------------------------

packages=(cmake g++ make pkg-config libpoco-dev libboost-dev libspdlog-dev libfmt-dev
    libmariadb-dev libssl-dev mariadb-server mariadb-client curl python3 wrk)

nginx_binary() {
    if command -v nginx; then
        return 0
    elif [[ -x /usr/sbin/nginx ]]; then
        echo /usr/sbin/nginx
    else
        return 1
    fi
}

# Prints the packages of the list that dpkg does not report as installed, and an
# nginx package when no nginx binary exists.
missing_packages() {
    local package
    for package in "${packages[@]}"; do
        if ! dpkg-query -W -f='${db:Status-Status}\n' "$package" 2>/dev/null | grep -qx installed; then
            echo "$package"
        fi
    done
    if ! nginx_binary >/dev/null; then
        echo nginx-light
    fi
}

install_packages() {
    local missing
    if ! command -v dpkg-query >/dev/null; then
        return 0
    fi
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if ((EUID != 0)); then
        fail "missing packages: ${missing[*]}. Install them as root with:" \
            "apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    fi
    log "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    # Debian 12 has nginx-light as a transitional package; later releases may not.
    if [[ " ${missing[*]} " == *" nginx-light "* ]] && ! apt-cache show nginx-light >/dev/null 2>&1; then
        missing=("${missing[@]/#nginx-light/nginx}")
    fi
    apt-get install -y --no-install-recommends "${missing[@]}" >&2
    if [[ " ${missing[*]} " == *" nginx"* ]]; then
        log "note: Debian's nginx package may have started its own nginx service;" \
            "this benchmark starts and uses a separate nginx on 127.0.0.1 only"
    fi
}

require_count() {
    local name=$1 value=$2
    if ! [[ $value =~ ^[1-9][0-9]*$ ]]; then
        fail "$name is '$value'; expected a whole number of 1 or more"
    fi
}

check_settings() {
    local connections
    require_count PAIRS "$pairs"
    require_count WORKERS "$workers"
    require_count SERVER_THREADS "$threads"
    require_count MYSQL_POOL_SIZE "$pool_size"
    require_count STARTS "$starts"
    require_count WRK_THREADS "$wrk_threads"
    ((${#connection_counts[@]} > 0)) || fail "CONNECTIONS is empty; set it to counts such as '8 64 256'"
    for connections in "${connection_counts[@]}"; do
        require_count "a CONNECTIONS entry" "$connections"
        if ((connections < wrk_threads)); then
            fail "CONNECTIONS entry $connections is below WRK_THREADS=$wrk_threads; wrk needs" \
                "at least one connection per thread"
        fi
    done
}

# --- servers ------------------------------------------------------------------

prepare_plugins() {
    mkdir -p "$plugins"
    cp "$build_dir/plugins/hello.so" "$build_dir/plugins/health.so" \
        "$build_dir/plugins/items.so" "$plugins/"
}

# Starts valhalla in FOLDER on PORT with the shared settings plus SETTING..., and sets
# launched_pid. A clean environment keeps the caller's settings out, and FOLDER has
# no .env file.
launch_valhalla() {
    local folder=$1 port=$2 log_file=$3
    shift 3
    mkdir -p "$folder"
    (cd "$folder" && exec env -i PATH="$PATH" HOME="$folder" FLASK_HOST=127.0.0.1 \
        FLASK_PORT="$port" WORKERS="$workers" SERVER_THREADS="$threads" \
        MYSQL_POOL_SIZE="$pool_size" PLUGIN_DIR="$plugins" LOG_LEVEL=warn "$@" \
        "$build_dir/bin/valhalla") </dev/null >"$log_file" 2>&1 &
    launched_pid=$!
    started_pids+=("$launched_pid")
}

mysql_settings() {
    echo "MYSQL_HOST=$VALHALLA_TEST_MYSQL_HOST" "MYSQL_PORT=$VALHALLA_TEST_MYSQL_PORT" \
        "MYSQL_USER=$VALHALLA_TEST_MYSQL_USER" "MYSQL_PASSWORD=$VALHALLA_TEST_MYSQL_PASSWORD" \
        "MYSQL_DATABASE=$VALHALLA_TEST_MYSQL_DATABASE"
}

start_valhalla() {
    local settings
    read -r -a settings < <(mysql_settings)
    launch_valhalla "$work_dir/valhalla" "$valhalla_port" "$work_dir/valhalla.log" "${settings[@]}"
    valhalla_pid=$launched_pid
    wait_ready valhalla "$valhalla_pid" "$valhalla_port" "$work_dir/valhalla.log"
}

start_stock() {
    local settings
    read -r -a settings < <(mysql_settings)
    env -i PATH="$PATH" "${settings[@]}" "$build_dir/bin/valhalla_stock_items_server" \
        "$stock_port" "$threads" "$pool_size" </dev/null >"$work_dir/stock.log" 2>&1 &
    stock_pid=$!
    started_pids+=("$stock_pid")
    wait_ready "stock server" "$stock_pid" "$stock_port" "$work_dir/stock.log"
}

# Writes an nginx configuration that keeps every path inside PREFIX and serves only
# GET /hello on 127.0.0.1. keepalive_requests is raised from its default of 1000,
# because valhalla and the stock server keep a connection for any number of requests.
write_nginx_config() {
    local prefix=$1
    mkdir -p "$prefix/logs" "$prefix/temp"
    cat >"$prefix/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $workers;
pid $prefix/nginx.pid;
lock_file $prefix/nginx.lock;
error_log $prefix/logs/error.log warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    client_body_temp_path $prefix/temp/client_body;
    proxy_temp_path $prefix/temp/proxy;
    fastcgi_temp_path $prefix/temp/fastcgi;
    uwsgi_temp_path $prefix/temp/uwsgi;
    scgi_temp_path $prefix/temp/scgi;
    keepalive_timeout 15s;
    keepalive_requests 1000000;

    server {
        listen 127.0.0.1:$nginx_port;
        location = /hello {
            default_type application/json;
            return 200 '{"message":"hello"}';
        }
    }
}
EOF
}

# Starts nginx in the foreground of a background job, so that $! is the master's PID.
start_nginx() {
    local prefix=$work_dir/nginx nginx
    nginx=$(nginx_binary) || fail "nginx not found; install the Debian package nginx-light"
    write_nginx_config "$prefix"
    "$nginx" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" \
        </dev/null >"$work_dir/nginx.log" 2>&1 &
    nginx_pid=$!
    started_pids+=("$nginx_pid")
    wait_ready nginx "$nginx_pid" "$nginx_port" "$prefix/logs/error.log"
}

# --- start-up time --------------------------------------------------------------

# Starts valhalla with SQLite in a fresh working folder and sets start_ms to the
# milliseconds from the launch to the first 200 on GET /hello. curl's own start-up,
# a few milliseconds, limits the resolution.
measure_start() {
    local folder=$work_dir/start-$1 port pid started now code
    read -r port < <(free_ports 1)
    started=$(date +%s%N)
    launch_valhalla "$folder" "$port" "$folder.log" SQLITE_PATH="$folder/var/valhalla.db"
    pid=$launched_pid
    while true; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
            "http://127.0.0.1:$port/hello" || true)
        now=$(date +%s%N)
        if [[ $code == 200 ]]; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$folder.log" >&2
            fail "valhalla with SQLite (pid $pid) exited during start-up; its output is above"
        fi
        if ((now - started > 30000000000)); then
            cat "$folder.log" >&2
            fail "valhalla with SQLite (pid $pid) did not answer GET /hello with 200 within 30 s"
        fi
        sleep 0.002
    done
    stop_server "$pid"
    start_ms=$(awk -v ns=$((now - started)) 'BEGIN { printf "%.1f", ns / 1e6 }')
    log "start $1 with SQLite: first 200 on /hello after $start_ms ms"
}

# --- items table ----------------------------------------------------------------

run_sql() {
    mariadb --no-defaults --socket="$work_dir/mariadb/data/mysqld.sock" -uroot --batch \
        --skip-column-names "$VALHALLA_TEST_MYSQL_DATABASE" -e "$1"
}

# Waits up to 10 s for the items plugin to create its table.
wait_for_table() {
    local tries
    for ((tries = 0; tries < 100; tries++)); do
        if [[ $(run_sql "SELECT COUNT(*) FROM information_schema.tables
            WHERE table_schema = DATABASE() AND table_name = 'items'") == 1 ]]; then
            return 0
        fi
        sleep 0.1
    done
    grep -iE 'warn|error' "$work_dir/valhalla.log" | tail -n 20 >&2 || true
    fail "the items plugin did not create the items table within 10 s; valhalla's log is above"
}

# Inserts item_count rows with ids 1 to item_count in one statement. Every fifth
# description is NULL, the price is an exact decimal from 0.00 to 999.99, and the
# times are UTC, as the plugin writes them.
seed_items() {
    local started=$SECONDS
    run_sql "INSERT INTO items (id, name, price, description, created_at, updated_at)
        SELECT seq, CONCAT('item ', seq), (seq * 7919 % 100000) / 100,
            IF(seq % 5 = 0, NULL, CONCAT('Sample item ', seq, ' of the items benchmark')),
            UTC_TIMESTAMP(3) - INTERVAL seq SECOND, UTC_TIMESTAMP(3) - INTERVAL seq SECOND
        FROM seq_1_to_$item_count" ||
        fail "loading $item_count rows failed; MariaDB's sequence engine (seq_1_to_N) is needed"
    log "loaded $item_count items in $((SECONDS - started)) s"
}

# Prints the body of GET PATH on PORT, or stops the script unless the status is
# EXPECTED.
fetch() {
    local port=$1 path=$2 expected=$3 output=$work_dir/fetch.txt code
    code=$(curl -s -o "$output" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port$path") ||
        fail "GET http://127.0.0.1:$port$path failed to connect"
    [[ $code == "$expected" ]] ||
        fail "GET http://127.0.0.1:$port$path returned $code, expected $expected: $(cat "$output")"
    cat "$output"
}

# Checks the rows in MariaDB and through valhalla, and that the stock server returns
# the same JSON as valhalla.
verify_items() {
    local count total id valhalla_body stock_body
    count=$(run_sql "SELECT COUNT(*) FROM items")
    ((count == item_count)) || fail "the items table has $count rows, expected $item_count"
    total=$(fetch "$valhalla_port" "/api/v1/items?limit=1" 200 |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
    ((total == item_count)) || fail "valhalla reports total=$total items, expected $item_count"
    for id in 1 5 $((item_count / 2)) "$item_count"; do
        valhalla_body=$(fetch "$valhalla_port" "/api/v1/items/$id" 200)
        python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1])["id"] != int(sys.argv[2]))' \
            "$valhalla_body" "$id" || fail "valhalla returned another item for id $id: $valhalla_body"
        stock_body=$(fetch "$stock_port" "/api/v1/items/$id" 200)
        [[ $stock_body == "$valhalla_body" ]] ||
            fail "item $id differs: valhalla returned $valhalla_body, the stock server $stock_body"
    done
    fetch "$valhalla_port" "/api/v1/items/$((item_count + 1))" 404 >/dev/null
    fetch "$stock_port" "/api/v1/items/$((item_count + 1))" 404 >/dev/null
    log "read items back through valhalla; the stock server returns the same JSON"
}

# --- memory -------------------------------------------------------------------

# Prints "pid rss_kib" for each valhalla worker, the supervisor's children.
worker_rss() {
    ps --ppid "$valhalla_pid" -o pid=,rss= || true
}

# Prints "pid pss_kib private_kib" for each valhalla worker. RSS counts every shared
# library page that a worker maps, although the page cache keeps one copy for all
# processes. PSS divides those pages among the processes that map them, and private
# memory is what the worker alone uses.
worker_shared_split() {
    local pid
    for pid in $(ps --ppid "$valhalla_pid" -o pid= || true); do
        awk -v pid="$pid" '/^Pss:/ { pss = $2 } /^Private_(Clean|Dirty):/ { own += $2 }
            END { print pid, pss, own }' "/proc/$pid/smaps_rollup" 2>/dev/null || true
    done
}

# Samples worker_rss every 0.5 s into $work_dir/rss-load.txt until stopped.
sample_rss() {
    while true; do
        worker_rss >>"$work_dir/rss-load.txt"
        sleep 0.5
    done
}

# Prints "pid max_rss_kib" per worker from lines of "pid rss_kib".
max_rss_per_worker() {
    awk '{ if ($2 > max[$1]) max[$1] = $2 } END { for (pid in max) print pid, max[pid] }' "$1"
}

# Prints "pid: N MiB" for each line of "pid rss_kib", joined by commas.
describe_rss() {
    awk '{ printf "%s%s: %.1f MiB", (NR > 1 ? ", " : ""), $1, $2 / 1024 }' "$1"
}

# --- wrk runs -------------------------------------------------------------------

# Runs wrk once and appends "route" plus run_wrk's result line to all_runs.
run_once() {
    local route=$1 server=$2 port=$3 pid=$4 connections=$5
    shift 5
    run_wrk "$server" "$port" "$pid" "$connections" "$@"
    echo "$route $(tail -n 1 "$wrk_results")" >>"$work_dir/all_runs"
    sleep 1
}

# Runs PAIRS pairs at CONNECTIONS: valhalla, then the baseline, and so on. Results go
# to $work_dir/results-NAME.
run_pairs() {
    local name=$1 route=$2 baseline=$3 baseline_port=$4 baseline_pid=$5 connections=$6
    shift 6
    local pair sampler
    wrk_results=$work_dir/results-$name
    for ((pair = 1; pair <= pairs; pair++)); do
        sampler=""
        if [[ $name == items && $connections == "$target_connections" && $pair == 1 ]]; then
            sample_rss &
            sampler=$!
            started_pids+=("$sampler")
        fi
        run_once "$route" valhalla "$valhalla_port" "$valhalla_pid" "$connections" "$@"
        if [[ -n $sampler ]]; then
            stop_server "$sampler"
        fi
        run_once "$route" "$baseline" "$baseline_port" "$baseline_pid" "$connections" "$@"
    done
}

run_all() {
    local connections items_options=("-s" "$bench_dir/items.lua")
    : >"$work_dir/all_runs"
    for connections in "${connection_counts[@]}"; do
        log "$connections connections: items on valhalla and the stock server"
        run_pairs items "/api/v1/items/{id}" stock "$stock_port" "$stock_pid" "$connections" \
            /api/v1/items/1 "${items_options[@]}" -- "$item_count"
        log "$connections connections: hello on valhalla and nginx"
        run_pairs hello-nginx /hello nginx "$nginx_port" "$nginx_pid" "$connections"
        log "$connections connections: hello on valhalla and the stock server"
        run_pairs hello-stock /hello stock "$stock_port" "$stock_pid" "$connections"
    done
}

# --- report ---------------------------------------------------------------------

# Prints "valhalla_median baseline_median ratio ratio_list valhalla_errors
# baseline_errors" for one results file at CONNECTIONS. ratio_list has no spaces.
summarize_pairs() {
    local file=$1 baseline=$2 connections=$3 v_rates b_rates ratios
    v_rates=$(awk -v c="$connections" '$1 == "valhalla" && $2 == c {print $3}' "$file")
    b_rates=$(awk -v s="$baseline" -v c="$connections" '$1 == s && $2 == c {print $3}' "$file")
    ratios=$(paste <(echo "$v_rates") <(echo "$b_rates") |
        awk '{ if ($2 > 0) printf "%.3f\n", $1 / $2; else print "inf" }')
    echo "$(echo "$v_rates" | median) $(echo "$b_rates" | median) $(echo "$ratios" | median)" \
        "$(echo "$ratios" | paste -sd, -)" \
        "$(awk -v c="$connections" '$1 == "valhalla" && $2 == c {n += $5 + $6} END {print n + 0}' "$file")" \
        "$(awk -v s="$baseline" -v c="$connections" '$1 == s && $2 == c {n += $5 + $6} END {print n + 0}' "$file")"
}

print_runs() {
    echo
    echo "## wrk runs (-t$wrk_threads -d$duration --latency, in the order run)"
    echo
    echo "| run | route | server | connections | req/s | p99 latency (ms) | socket errors |" \
        "non-2xx/3xx | server CPU per request (us) |"
    echo "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    awk '{ printf "| %d | `%s` | %s | %s | %s | %s | %s | %s | %s |\n",
        NR, $1, $2, $3, $4, $5, $6, $7, $8 }' "$work_dir/all_runs"
}

print_ratios() {
    local name baseline route connections v b ratio list v_errors b_errors
    echo
    echo "## Paired ratios (valhalla req/s / baseline req/s, median of $pairs pairs)"
    echo
    echo "| route | baseline | connections | valhalla req/s | baseline req/s | ratio (pairs) |" \
        "valhalla errors | baseline errors |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    for name in items hello-nginx hello-stock; do
        baseline=${name#hello-}
        route=/hello
        if [[ $name == items ]]; then
            baseline=stock
            route="/api/v1/items/{id}"
        fi
        for connections in "${connection_counts[@]}"; do
            read -r v b ratio list v_errors b_errors < <(summarize_pairs \
                "$work_dir/results-$name" "$baseline" "$connections")
            echo "| \`$route\` | $baseline | $connections | $v | $b | $ratio x (${list//,/, }) |" \
                "$v_errors | $b_errors |"
        done
    done
    echo
    echo "Errors are socket errors plus non-2xx/3xx responses over all runs of the row."
}

# Prints describe_rss of FILE, or "not measured" for an empty file.
rss_cell() {
    if [[ -s $1 ]]; then
        describe_rss "$1"
    else
        echo "not measured"
    fi
}

print_memory_and_start() {
    echo
    echo "## Memory and start-up"
    echo
    echo "| measurement | value |"
    echo "| --- | --- |"
    echo "| RSS per worker, idle after start-up and the read-back checks |" \
        "$(rss_cell "$work_dir/rss-idle.txt") |"
    echo "| PSS and private memory per worker, idle at the same time |" \
        "$(awk '{ printf "%s%s: PSS %.1f MiB, private %.1f MiB", (NR > 1 ? ", " : ""), $1,
            $2 / 1024, $3 / 1024 }' "$work_dir/memory-idle.txt") |"
    echo "| RSS per worker under load, max of samples every 0.5 s during the first" \
        "$target_connections-connection items run | $(rss_cell "$work_dir/rss-load-max.txt") |"
    echo "| first 200 on \`/hello\` with SQLite, $starts starts (ms) | ${start_times[*]} |"
    echo "| first 200 on \`/hello\` with SQLite, median (ms) | $start_median |"
}

# Prints one row of the targets table. MET is 1, 0, or empty when not measured.
target_row() {
    local target=$1 result=$2 met=$3
    if [[ -z $met ]]; then
        echo "| $target | not measured (CONNECTIONS has no $target_connections) | |"
    else
        echo "| $target | $result | $(verdict "$met") |"
    fi
}

# Prints the ratio target row for results NAME against BASELINE at target_connections.
ratio_target_row() {
    local target=$1 name=$2 baseline=$3 minimum=$4 require_no_errors=$5
    local v b ratio list v_errors b_errors met result
    if [[ " ${connection_counts[*]} " != *" $target_connections "* ]]; then
        target_row "$target" "" ""
        return 0
    fi
    read -r v b ratio list v_errors b_errors < <(summarize_pairs \
        "$work_dir/results-$name" "$baseline" "$target_connections")
    met=$(awk -v r="$ratio" -v m="$minimum" -v e="$v_errors" -v strict="$require_no_errors" \
        'BEGIN { print (r >= m && (strict == 0 || e == 0)) ? 1 : 0 }')
    result="$ratio x"
    if ((require_no_errors)); then
        result="$result, $v_errors valhalla errors"
    fi
    target_row "$target" "$result" "$met"
}

print_targets() {
    local idle_max
    echo
    echo "## Targets"
    echo
    echo "| target | result | verdict |"
    echo "| --- | --- | --- |"
    ratio_target_row \
        "items at $target_connections connections >= 1.5 x stock Poco, zero valhalla errors" \
        items stock 1.5 1
    ratio_target_row "hello at $target_connections connections >= 0.6 x nginx" \
        hello-nginx nginx 0.6 0
    idle_max=$(awk '$2 > max { max = $2 } END { printf "%.1f", max / 1024 }' "$work_dir/rss-idle.txt")
    target_row "idle RSS < 20 MiB per worker" "max $idle_max MiB" \
        "$(awk -v m="$idle_max" 'BEGIN { print (m < 20) ? 1 : 0 }')"
    target_row "first 200 on \`/hello\` within 100 ms with SQLite (median of $starts)" \
        "$start_median ms" "$(awk -v m="$start_median" 'BEGIN { print (m <= 100) ? 1 : 0 }')"
}

# --- main -----------------------------------------------------------------------

install_packages
check_settings
require_tool wrk wrk
require_tool curl curl
require_tool python3 python3
require_tool cmake cmake
require_tool mariadb mariadb-client
nginx_binary >/dev/null || fail "nginx not found; install the Debian package nginx-light"

# 256 connections to each server need more descriptors than some default soft limits.
ulimit -n "$(ulimit -Hn)"
clock_ticks=$(getconf CLK_TCK)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
build valhalla hello health items valhalla_stock_items_server
prepare_plugins

start_times=()
for ((start = 1; start <= starts; start++)); do
    measure_start "$start"
    start_times+=("$start_ms")
done
start_median=$(printf '%s\n' "${start_times[@]}" | median)

mariadb_start "$work_dir/mariadb" "$(mariadb_free_port)" >/dev/null
mariadb_running=yes
read -r valhalla_port stock_port nginx_port < <(free_ports 3)
start_valhalla
wait_for_table
seed_items
start_stock
start_nginx
verify_items
worker_rss >"$work_dir/rss-idle.txt"
worker_shared_split >"$work_dir/memory-idle.txt"
[[ -s $work_dir/rss-idle.txt ]] || fail "valhalla (pid $valhalla_pid) has no worker process"
log "valhalla pid $valhalla_pid on port $valhalla_port ($workers workers, $threads threads," \
    "pool $pool_size), stock pid $stock_pid on port $stock_port, nginx pid $nginx_pid on" \
    "port $nginx_port"

: >"$work_dir/rss-load.txt"
run_all
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
max_rss_per_worker "$work_dir/rss-load.txt" >"$work_dir/rss-load-max.txt"
stop_servers

echo
echo "# items benchmark: valhalla against stock Poco and nginx"
echo
echo "Commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)," \
    "$(nproc) CPUs, WORKERS=$workers SERVER_THREADS=$threads MYSQL_POOL_SIZE=$pool_size," \
    "$item_count items, load average (1, 5, 15 min) $load_before before the build and" \
    "$load_after after the last run."
print_runs
print_ratios
print_memory_and_start
print_targets
