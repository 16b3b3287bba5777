# shellcheck shell=bash disable=SC2154 # the sourcing script sets the variables below
# Functions shared by the wrk benchmarks in this folder (connection_bench.sh,
# items_bench.sh). Source this file from bash, then set these variables before
# calling the functions:
#
#   bench_name    prefix of every log line, such as connection_bench
#   root          the repository root
#   build_dir     the CMake build folder
#   work_dir      a temporary folder for logs and wrk output
#   scheme        http or https, for wait_ready and run_wrk
#   duration      wrk's -d value, such as 10s
#   wrk_threads   wrk's -t value
#   clock_ticks   the output of `getconf CLK_TCK`
#
# started_pids lists the servers to stop: start a server in the background, then
# append its PID. run_wrk appends its results to $wrk_results, which defaults to
# $work_dir/wrk_results.

started_pids=()

log() {
    echo "$bench_name: $*" >&2
}

fail() {
    log "error: $*"
    exit 1
}

# Stops the process PID: SIGTERM, then SIGKILL after 15 s. Removes PID from
# started_pids, so a later process that gets the same PID is never signalled.
stop_server() {
    local pid=$1 waited other kept=()
    for other in "${started_pids[@]}"; do
        if [[ $other != "$pid" ]]; then
            kept+=("$other")
        fi
    done
    started_pids=("${kept[@]}")
    if ! kill -0 "$pid" 2>/dev/null; then
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((waited = 0; waited < 150; waited++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid did not stop within 15 s of SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Stops every server this script started, by PID.
stop_servers() {
    local pid
    for pid in "${started_pids[@]}"; do
        stop_server "$pid"
    done
    started_pids=()
}

require_tool() {
    command -v "$1" >/dev/null || fail "$1 not found on PATH; install it (Debian package: $2)"
}

# Configures $build_dir as a Release build with VALHALLA_BUILD_BENCH=ON and builds the
# given targets; an existing build is reused.
build() {
    log "building $* in $build_dir"
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DVALHALLA_BUILD_BENCH=ON \
        -DVALHALLA_BUILD_TESTS=OFF >"$work_dir/cmake.log" 2>&1 ||
        { cat "$work_dir/cmake.log" >&2; fail "cmake configure failed in $build_dir"; }
    if ! cmake --build "$build_dir" -j"$(nproc)" --target "$@" >"$work_dir/build.log" 2>&1; then
        tail -n 40 "$work_dir/build.log" >&2
        if grep -qi "no rule to make target" "$work_dir/build.log"; then
            fail "a target of '$*' is missing: the top-level CMakeLists.txt must" \
                "add tests/bench when VALHALLA_BUILD_BENCH is ON"
        fi
        fail "build failed in $build_dir (log above)"
    fi
    local build_type
    build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt")
    if [[ "$build_type" != Release ]]; then
        log "warning: $build_dir is a $build_type build, not Release"
    fi
}

# Prints COUNT (default 2) free TCP ports on 127.0.0.1, holding all of them while
# choosing so they differ.
free_ports() {
    python3 - "${1:-2}" <<'PY'
import socket
import sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
PY
}

# Waits up to 30 s until GET /hello on PORT returns 200. Stops the script if the
# process exits or the time runs out.
wait_ready() {
    local name=$1 pid=$2 port=$3 log_file=$4 tries
    for ((tries = 0; tries < 300; tries++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$log_file" >&2
            fail "$name (pid $pid) exited during start-up; its output is above"
        fi
        # -k: the benchmark's certificate is self-signed.
        if curl -sfk -o /dev/null --max-time 1 "$scheme://127.0.0.1:$port/hello"; then
            return 0
        fi
        sleep 0.1
    done
    cat "$log_file" >&2
    fail "$name (pid $pid) did not answer GET $scheme://127.0.0.1:$port/hello within 30 s"
}

# Prints the PID of the process that serves requests: the only child of PID when
# PID is a supervisor with one worker, otherwise PID itself.
serving_pid() {
    local children
    children=$(cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -c . || true)
    if [[ "$children" == 1 ]]; then
        cat /proc/"$1"/task/*/children | tr -d ' '
    else
        echo "$1"
    fi
}

# Converts a wrk latency such as 812.00us, 1.25ms or 2.01s to milliseconds.
to_ms() {
    awk -v value="$1" 'BEGIN {
        number = value + 0
        if (value ~ /us$/) number /= 1000
        else if (value ~ /ms$/) number *= 1
        else if (value ~ /s$/) number *= 1000
        printf "%.2f", number
    }'
}

# Prints the CPU time (user + system) that PID and its child processes use, in clock
# ticks. The fields are counted after the ")" that ends the command name, which may
# contain spaces. A child that exits between two readings drops out of the sum.
cpu_ticks() {
    local pid total=0 ticks
    for pid in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
        ticks=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}

# Runs wrk once against the server with process id PID and appends "server
# connections req_per_s p99_ms socket_errors non_2xx cpu_us_per_request" to
# $wrk_results. PATH defaults to /hello. Further arguments go to wrk after the URL,
# such as "-s SCRIPT -- SCRIPT_ARGUMENT".
run_wrk() {
    local server=$1 port=$2 pid=$3 connections=$4 path=${5:-/hello}
    local wrk_arguments=("${@:6}")
    local output rate p99 socket_errors non_2xx requests ticks_before ticks_after cpu_us
    output="$work_dir/wrk-$server-$connections-$(date +%s%N).txt"
    ticks_before=$(cpu_ticks "$pid")
    wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency \
        "$scheme://127.0.0.1:$port$path" "${wrk_arguments[@]}" >"$output" 2>&1 ||
        { cat "$output" >&2; fail "wrk failed against $server"; }
    ticks_after=$(cpu_ticks "$pid")
    rate=$(awk '/^Requests\/sec:/ {print $2}' "$output")
    [[ -n "$rate" ]] || { cat "$output" >&2; fail "no Requests/sec in wrk output"; }
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$output")")
    # "Socket errors: connect 0, read 0, write 0, timeout 0" appears only when one is non-zero.
    socket_errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$output")
    non_2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$output")
    requests=$(awk '/ requests in / {print $1}' "$output")
    cpu_us=$(awk -v ticks=$((ticks_after - ticks_before)) -v hz="$clock_ticks" -v n="$requests" \
        'BEGIN { if (n > 0) printf "%.1f", ticks / hz * 1e6 / n; else print "n/a" }')
    echo "$server $connections $rate $p99 ${socket_errors:-0} ${non_2xx:-0} $cpu_us" \
        >>"${wrk_results:-$work_dir/wrk_results}"
    log "wrk $server c=$connections: $rate req/s, p99 $p99 ms," \
        "socket errors ${socket_errors:-0}, non-2xx/3xx ${non_2xx:-0}," \
        "server CPU $cpu_us us/request"
}

# Prints the median of the numbers on standard input.
median() {
    sort -g | awk '{ values[NR] = $1 }
        END {
            if (NR == 0) { print "n/a"; exit }
            if (NR % 2) print values[(NR + 1) / 2]
            else print (values[NR / 2] + values[NR / 2 + 1]) / 2
        }'
}

rss_mib() {
    awk -v kib="$1" 'BEGIN { if (kib == "" || kib == "None") print "n/a"; else printf "%.1f", kib / 1024 }'
}

verdict() {
    if [[ "$1" == 1 ]]; then echo met; else echo "not met"; fi
}
