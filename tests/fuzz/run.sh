#!/usr/bin/env bash
# Builds the libFuzzer targets with clang 14 and runs each one for a fixed time.
#
#   tests/fuzz/run.sh [TARGET...]     for example: tests/fuzz/run.sh request_head_fuzz
#
# Without arguments it runs every target. Each run starts from a temporary copy of
# tests/fuzz/corpus/<target>, so the seeds in the repository stay unchanged. Inputs that
# crash are saved as $FUZZ_BUILD_DIR/artifacts/<target>/crash-* and the log of each run
# as $FUZZ_BUILD_DIR/logs/<target>.log. The exit status is 1 when any target crashed,
# leaked, timed out or failed to build, and 0 otherwise.
#
# Environment: FUZZ_SECONDS (default 30) is the run time per target in seconds;
# FUZZ_BUILD_DIR (default build-fuzz) is the build folder; VALHALLA_WERROR=ON|OFF
# (default OFF) turns compiler warnings into errors. When clang-14 or
# libclang-rt-14-dev is missing, the script installs them as root and otherwise
# prints the apt-get command and stops.
set -euo pipefail

repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repository"

all_targets=(route_table_fuzz env_file_fuzz abi_descriptor_fuzz request_head_fuzz)
fuzz_seconds=${FUZZ_SECONDS:-30}
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
werror=${VALHALLA_WERROR:-OFF}
packages=(clang-14 libclang-rt-14-dev)

if ! [[ $fuzz_seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "FUZZ_SECONDS is '$fuzz_seconds', expected a whole number of seconds of 1 or more" >&2
    exit 2
fi

targets=("$@")
if ((${#targets[@]} == 0)); then
    targets=("${all_targets[@]}")
fi
for target in "${targets[@]}"; do
    if [[ ! -d tests/fuzz/corpus/$target ]]; then
        echo "unknown fuzz target '$target': expected one of ${all_targets[*]}" >&2
        exit 2
    fi
done

# Inputs for the HTTP and ELF targets are whole requests and files, so they may grow to
# 64 KiB, which fits the stripped hello.so seed. Lines of text need far less.
max_len_option() {
    case $1 in
    request_head_fuzz | abi_descriptor_fuzz) echo "-max_len=65536" ;;
    *) echo "-max_len=4096" ;;
    esac
}

install_packages() {
    local fuzzer_library
    fuzzer_library=$(clang++-14 -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
    if command -v clang++-14 >/dev/null && [[ -f $fuzzer_library ]]; then
        return 0
    fi
    if ((EUID != 0)); then
        echo "clang 14 with libFuzzer is missing; install it with:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
        exit 1
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
}

build_targets() {
    CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" \
        -DVALHALLA_BUILD_FUZZ=ON \
        -DVALHALLA_BUILD_TESTS=OFF \
        -DVALHALLA_WERROR="$werror" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo
    cmake --build "$build_dir" --parallel "$(nproc)" --target "${targets[@]}"
}

# Runs one target from a copy of its corpus. Returns libFuzzer's exit status.
run_target() {
    local target=$1 corpus started status=0
    corpus="$work_dir/$target"
    cp -r "tests/fuzz/corpus/$target" "$corpus"
    mkdir -p "$build_dir/artifacts/$target" "$build_dir/logs"
    started=$SECONDS
    echo "==> fuzz $target for $fuzz_seconds s"
    # timeout(1) stops a run that hangs outside libFuzzer's own time checks.
    timeout --kill-after=10 $((fuzz_seconds + 120)) \
        "$build_dir/bin/$target" "$corpus" \
        -max_total_time="$fuzz_seconds" \
        "$(max_len_option "$target")" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -print_final_stats=1 \
        -artifact_prefix="$build_dir/artifacts/$target/" \
        >"$build_dir/logs/$target.log" 2>&1 || status=$?
    grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
        "$build_dir/logs/$target.log" || true
    if ((status != 0)); then
        echo "==> $target FAILED with exit status $status; log: $build_dir/logs/$target.log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|invariant violated|artifact_prefix|Test unit written)' \
            "$build_dir/logs/$target.log" || true
    fi
    echo "==> fuzz $target took $((SECONDS - started)) s"
    return "$status"
}

install_packages
build_targets

work_dir=$(mktemp -d)
trap 'rm -rf "$work_dir"' EXIT
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=()
for target in "${targets[@]}"; do
    run_target "$target" || failed+=("$target")
done

if ((${#failed[@]} > 0)); then
    echo "==> fuzz targets that failed: ${failed[*]}"
    exit 1
fi
echo "==> all fuzz targets ran $fuzz_seconds s without a crash"
