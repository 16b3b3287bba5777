#!/usr/bin/env bash
# Builds the container images and runs the compose stack of docker/ for real, as
# root on Debian 12:
#
#   1. installs docker.io, docker-compose, debootstrap and curl when missing
#   2. builds the test plugin pid_reporter on this machine into $BUILD_DIR
#   3. starts a private dockerd: unix socket, data and pid file in a temporary
#      folder, no iptables changes, no default bridge
#   4. makes the debian:bookworm-slim base image with debootstrap and docker
#      import, because no registry is reachable
#   5. builds docker/Dockerfile unchanged (with SKIP_TESTS=1, because CI has run
#      the tests already) and docker/mariadb/Dockerfile
#   6. copies the bundled plugins out of the image into a host plugin folder
#   7. starts the stack with docker-compose, published on 127.0.0.1 only, and
#      waits for /readyz to report MariaDB reachable and the plugins loaded
#   8. creates an item and reads it back over HTTP and straight from MariaDB
#   9. drops pid_reporter.so into the mounted plugin folder and polls until
#      GET /test/pid, a route not served before, returns 200
#  10. stops the valhalla container with SIGTERM and checks exit code 0
#
# Whatever happens, it removes the stack and its volumes, stops dockerd by its
# pid and deletes the temporary folder. Each stage prints its duration; the
# exit status is non-zero on the first failure.
#
# Environment: BUILD_DIR sets the build folder (default build); VALHALLA_WERROR,
# when set, is passed to its configure step; VALHALLA_CONTAINER_CACHE=DIR keeps
# the debootstrap tarball in DIR between runs (CI leaves it unset and starts
# clean); DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR set the package mirrors of
# the base image; KEEP_TEMP=1 keeps the temporary folder.
set -euo pipefail

repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repository"
# shellcheck source=tests/support/mariadb.sh
source "$repository/tests/support/mariadb.sh"
stage_prefix=container-
# shellcheck source=tests/support/stages.sh
source "$repository/tests/support/stages.sh"

packages=(docker.io docker-compose debootstrap curl)
build_dir=${BUILD_DIR:-build}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
base_image=debian:bookworm-slim
valhalla_image="valhalla:container-test"
mariadb_image="valhalla-mariadb:container-test"
project="valhalla-container-test"

# Upper bounds in seconds, so that a hung step fails the run instead of blocking it.
debootstrap_timeout=600
image_build_timeout=1800
step_timeout=300
ready_timeout=120
drop_in_timeout=30
stop_grace=30

temp=""
temp_mounted=0
docker=""
compose=()
dockerd_pid=""
mariadb_build_pid=""
compose_started=0

fail() {
    echo "tests/container/run.sh: $*" >&2
    exit 1
}

# Runs the command after the log file name $1 with its output in that file, and
# prints the end of the file when the command fails.
run_logged() {
    local log=$1 status=0
    shift
    "$@" >"$log" 2>&1 || status=$?
    if ((status != 0)); then
        echo "--- last 80 lines of $log" >&2
        tail -n 80 "$log" >&2
        fail "'$*' failed with exit status $status; its output is above"
    fi
}

install_packages() {
    local package missing=()
    for package in "${packages[@]}"; do
        if ! dpkg-query -W -f='${db:Status-Status}\n' "$package" 2>/dev/null | grep -qx installed; then
            missing+=("$package")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    echo "Installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    timeout "$step_timeout" apt-get update
    timeout "$step_timeout" apt-get install -y --no-install-recommends "${packages[@]}"
}

# The client from the docker.io package matches the daemon's version. Another
# docker on PATH may be newer and default to a builder that this daemon lacks.
find_docker_client() {
    if [[ -x /usr/bin/docker ]]; then
        docker=/usr/bin/docker
    else
        docker=$(command -v docker) || fail "no docker client found after installing docker.io"
    fi
}

build_plugin() {
    local werror_option=()
    if [[ -n ${VALHALLA_WERROR:-} ]]; then
        werror_option=(-DVALHALLA_WERROR="$VALHALLA_WERROR")
    fi
    if ! grep -qx 'VALHALLA_BUILD_TESTS:BOOL=ON' "$build_dir/CMakeCache.txt" 2>/dev/null; then
        if ! timeout "$step_timeout" cmake -S . -B "$build_dir" -DVALHALLA_BUILD_TESTS=ON \
            "${werror_option[@]}"; then
            fail "configuring $build_dir with tests failed; run tests/run.sh once, which" \
                "installs the build and test packages"
        fi
    fi
    timeout "$image_build_timeout" cmake --build "$build_dir" -j"$(nproc)" --target pid_reporter
    drop_in_plugin=$build_dir/test-plugins/pid_reporter.so
    if [[ ! -f $drop_in_plugin ]]; then
        fail "building the target pid_reporter did not create $drop_in_plugin"
    fi
}

start_dockerd() {
    local waited
    mkdir -p "$temp/docker/data" "$temp/docker/exec"
    export DOCKER_HOST=unix://$temp/docker/docker.sock
    dockerd --host "$DOCKER_HOST" --data-root "$temp/docker/data" \
        --exec-root "$temp/docker/exec" --pidfile "$temp/docker/dockerd.pid" \
        --iptables=false --ip-masq=false --ip6tables=false --bridge=none \
        </dev/null >"$temp/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for ((waited = 0; waited < 600; waited++)); do
        if ! kill -0 "$dockerd_pid" 2>/dev/null; then
            dockerd_pid=""
            cat "$temp/dockerd.log" >&2
            fail "dockerd exited during start-up; its log is above"
        fi
        if "$docker" info >/dev/null 2>&1; then
            echo "dockerd pid=$dockerd_pid listens on $DOCKER_HOST"
            return 0
        fi
        sleep 0.1
    done
    tail -n 40 "$temp/dockerd.log" >&2
    fail "dockerd did not answer on $DOCKER_HOST within 60 s; the end of its log is above"
}

# Writes a debootstrap minbase of bookworm, set up like Debian's official slim
# image (apt sources with updates and security, no translation downloads, a
# policy-rc.d that keeps package scripts from starting services, no package
# caches), as a tar file to $1.
make_base_tarball() {
    local tarball=$1 rootfs=$temp/rootfs
    run_logged "$temp/debootstrap.log" timeout "$debootstrap_timeout" \
        debootstrap --variant=minbase bookworm "$rootfs" "$mirror"
    rm -f "$rootfs/etc/apt/sources.list"
    printf '%s\n' "Types: deb" "URIs: $mirror" "Suites: bookworm bookworm-updates" \
        "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
        "Types: deb" "URIs: $security_mirror" "Suites: bookworm-security" \
        "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
        >"$rootfs/etc/apt/sources.list.d/debian.sources"
    echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
    printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
    chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
}

make_base_image() {
    local tarball=$temp/base.tar
    if [[ -n ${VALHALLA_CONTAINER_CACHE:-} ]]; then
        mkdir -p "$VALHALLA_CONTAINER_CACHE"
        tarball=$VALHALLA_CONTAINER_CACHE/debian-bookworm-minbase.tar
    fi
    if [[ -f $tarball ]]; then
        echo "reusing $tarball"
    else
        make_base_tarball "$tarball"
    fi
    "$docker" import --change 'CMD ["bash"]' "$tarball" "$base_image" >/dev/null
    echo "imported $base_image from $tarball"
}

build_images() {
    local status=0
    # MariaDB's build mostly downloads and unpacks packages, so it runs while
    # the valhalla build compiles.
    timeout "$image_build_timeout" "$docker" build --network host --tag "$mariadb_image" \
        docker/mariadb >"$temp/mariadb-build.log" 2>&1 &
    mariadb_build_pid=$!
    run_logged "$temp/valhalla-build.log" timeout "$image_build_timeout" \
        "$docker" build --network host --build-arg SKIP_TESTS=1 \
        --file docker/Dockerfile --tag "$valhalla_image" .
    wait "$mariadb_build_pid" || status=$?
    mariadb_build_pid=""
    if ((status != 0)); then
        tail -n 80 "$temp/mariadb-build.log" >&2
        fail "building docker/mariadb failed with exit status $status; its output is above"
    fi
    "$docker" image ls
}

# Fills the host plugin folder with the bundled plugins of the image, as
# docs/deployment.md describes for operators.
seed_plugins() {
    local container
    mkdir -p "$plugins"
    chmod 0755 "$plugins"
    container=$("$docker" create --network none "$valhalla_image")
    "$docker" cp "$container:/opt/valhalla/plugins/." "$plugins/"
    "$docker" rm "$container" >/dev/null
    for file in hello.so health.so items.so; do
        if [[ ! -f $plugins/$file ]]; then
            fail "the image has no /opt/valhalla/plugins/$file"
        fi
    done
}

write_compose_env() {
    # Exported too, because variables of the caller's shell would otherwise take
    # precedence over the file.
    export MYSQL_PASSWORD MYSQL_USER=valhalla MYSQL_DATABASE=valhalla
    export VALHALLA_IMAGE=$valhalla_image VALHALLA_MARIADB_IMAGE=$mariadb_image
    export VALHALLA_PUBLISH=127.0.0.1:$port VALHALLA_PLUGINS=$plugins VALHALLA_CERTS=$temp/certs
    export VALHALLA_ENV_FILE=$temp/compose.env
    MYSQL_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    mkdir -p "$temp/certs"
    {
        echo "MYSQL_PASSWORD=$MYSQL_PASSWORD"
        echo "MYSQL_USER=$MYSQL_USER"
        echo "MYSQL_DATABASE=$MYSQL_DATABASE"
        echo "VALHALLA_IMAGE=$VALHALLA_IMAGE"
        echo "VALHALLA_MARIADB_IMAGE=$VALHALLA_MARIADB_IMAGE"
        echo "VALHALLA_PUBLISH=$VALHALLA_PUBLISH"
        echo "VALHALLA_PLUGINS=$VALHALLA_PLUGINS"
        echo "VALHALLA_CERTS=$VALHALLA_CERTS"
        echo "VALHALLA_ENV_FILE=$VALHALLA_ENV_FILE"
        echo "LOG_LEVEL=info"
    } >"$temp/compose.env"
    chmod 0600 "$temp/compose.env"
}

container_of() {
    "${compose[@]}" ps -q "$1"
}

# Fails unless every process in the valhalla container runs as a user other than root.
check_non_root() {
    local container uids
    container=$(container_of valhalla)
    # docker top needs the pid column; the uid is the second one.
    uids=$(docker top "$container" -eo pid,uid | awk 'NR > 1 { print $2 }' | sort -u | tr '\n' ' ')
    if [[ -z $uids || " $uids " == *" 0 "* ]]; then
        show_logs_and_fail "the valhalla container runs processes as root (uids: ${uids:-none})"
    fi
    echo "valhalla container processes run as uid $uids"
}

show_logs_and_fail() {
    "${compose[@]}" logs --no-color --tail=60 >&2 || true
    fail "$@"
}

# Requests $1 $2 (method, path) with the optional JSON body $3. Sets
# response_status (000 when no response arrived) and response_body.
request() {
    local method=$1 path=$2 body=${3:-}
    local options=(-sS --max-time 5 -o "$temp/body" -w '%{http_code}' -X "$method")
    if [[ -n $body ]]; then
        options+=(-H 'Content-Type: application/json' --data-binary "$body")
    fi
    : >"$temp/body"
    response_status=$(curl "${options[@]}" "http://127.0.0.1:$port$path" 2>/dev/null) ||
        response_status=000
    response_body=$(cat "$temp/body")
}

wait_until_ready() {
    local deadline=$((SECONDS + ready_timeout)) valhalla
    valhalla=$(container_of valhalla)
    while ((SECONDS < deadline)); do
        if [[ $("$docker" inspect -f '{{.State.Running}}' "$valhalla") != true ]]; then
            show_logs_and_fail "the valhalla container stopped during start-up; logs above"
        fi
        request GET /readyz
        if [[ $response_status == 200 && $response_body == *'"connector":"mysql"'* &&
            $response_body == *'"reachable":true'* &&
            $response_body == *'{"name":"items","state":"loaded"}'* ]]; then
            echo "GET /readyz: $response_body"
            return 0
        fi
        sleep 0.5
    done
    show_logs_and_fail "GET /readyz did not report MariaDB reachable and items loaded within" \
        "${ready_timeout} s; last status $response_status, body: $response_body"
}

check_item_round_trip() {
    local name id stored
    # Non-ASCII, so a wrong character set on the way to MariaDB shows up.
    name="Bifröst container $RANDOM"
    request POST /api/v1/items "{\"name\":\"$name\",\"price\":\"12.50\"}"
    if [[ $response_status != 201 ]]; then
        show_logs_and_fail "POST /api/v1/items returned $response_status, expected 201;" \
            "body: $response_body"
    fi
    id=$(sed -n 's/^{"id":\([0-9][0-9]*\),.*/\1/p' <<<"$response_body")
    if [[ -z $id ]]; then
        fail "POST /api/v1/items returned no numeric id first: $response_body"
    fi

    request GET "/api/v1/items/$id"
    if [[ $response_status != 200 ]]; then
        fail "GET /api/v1/items/$id returned $response_status, expected 200: $response_body"
    fi
    if [[ $response_body != *"\"name\":\"$name\""* || $response_body != *'"price":"12.50"'* ]]; then
        fail "GET /api/v1/items/$id returned $response_body, expected name $name and price 12.50"
    fi
    echo "GET /api/v1/items/$id: $response_body"

    # root may connect through the socket inside the MariaDB container only.
    stored=$("$docker" exec "$(container_of mariadb)" mariadb --default-character-set=utf8mb4 \
        --batch --skip-column-names \
        --execute="SELECT name, price FROM \`$MYSQL_DATABASE\`.items WHERE id = $id")
    if [[ $stored != "$name"$'\t'"12.50" ]]; then
        fail "MariaDB holds '$stored' for item $id, expected '$name<TAB>12.50'"
    fi
    echo "MariaDB row of item $id: $stored"
}

check_drop_in() {
    local deadline
    request GET /test/pid
    if [[ $response_status != 404 ]]; then
        fail "GET /test/pid returned $response_status before the plugin was dropped in," \
            "expected 404"
    fi
    # Written under a dot file name, which the server ignores, then renamed into place.
    cp "$drop_in_plugin" "$plugins/.pid_reporter.so.tmp"
    chmod 0644 "$plugins/.pid_reporter.so.tmp"
    mv "$plugins/.pid_reporter.so.tmp" "$plugins/pid_reporter.so"
    deadline=$((SECONDS + drop_in_timeout))
    while ((SECONDS < deadline)); do
        request GET /test/pid
        if [[ $response_status == 200 ]]; then
            break
        fi
        sleep 0.2
    done
    if [[ $response_status != 200 ]]; then
        show_logs_and_fail "GET /test/pid returned $response_status ${drop_in_timeout} s after" \
            "pid_reporter.so was dropped in, expected 200"
    fi
    if [[ ! $response_body =~ ^\{\"pid\":[0-9]+\}$ ]]; then
        fail "GET /test/pid returned $response_body, expected {\"pid\":N}"
    fi
    echo "GET /test/pid: $response_body"
}

check_clean_stop() {
    local valhalla state started=$SECONDS
    valhalla=$(container_of valhalla)
    "${compose[@]}" stop --timeout "$stop_grace" valhalla
    state=$("$docker" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$valhalla")
    echo "valhalla container after SIGTERM: $state, stopped in $((SECONDS - started)) s"
    if [[ $state != "exited 0" ]]; then
        show_logs_and_fail "the valhalla container ended as '$state' after SIGTERM," \
            "expected 'exited 0' (137 means it was killed after ${stop_grace} s)"
    fi
}

# Waits up to $2 tenths of a second for process $1 to exit, then kills it.
stop_process() {
    local pid=$1 limit=$2 waited
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((waited = 0; waited < limit; waited++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317 # shellcheck does not see that the EXIT trap calls it
cleanup() {
    local status=$? containerd_pid mount_point
    if [[ -n $stage_name ]]; then
        echo "==> stage $stage_prefix$stage_name failed after $((SECONDS - stage_started)) s" >&2
    fi

    if ((compose_started)); then
        timeout "$step_timeout" "${compose[@]}" down --volumes --remove-orphans --timeout 10 ||
            true
    fi
    if [[ -n $mariadb_build_pid ]]; then
        stop_process "$mariadb_build_pid" 50
    fi

    if [[ -n $dockerd_pid ]]; then
        stop_process "$dockerd_pid" 300
        # dockerd stops its containerd itself unless it had to be killed.
        containerd_pid=$(cat "$temp/docker/exec/containerd/containerd.pid" 2>/dev/null) || true
        if [[ $containerd_pid =~ ^[1-9][0-9]*$ ]] && kill -0 "$containerd_pid" 2>/dev/null; then
            stop_process "$containerd_pid" 100
        fi
    fi

    if [[ -n $temp ]]; then
        if [[ ${KEEP_TEMP:-0} == 1 ]]; then
            echo "temporary folder kept: $temp" >&2
            exit "$status"
        fi
        # dockerd leaves its network namespace mounted, and more when it was
        # killed, but rm cannot delete mount points.
        grep -o " $temp/[^ ]*" /proc/mounts | sort -r | while read -r mount_point; do
            umount -l "$mount_point" || true
        done
        if ((temp_mounted)); then
            umount -l "$temp" || true
        fi
        rm -rf "$temp"
    fi
    exit "$status"
}

if ((EUID != 0)); then
    fail "run as root: it installs packages, runs dockerd and debootstrap"
fi

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

temp=$(mktemp -d "${TMPDIR:-/tmp}/valhalla-container.XXXXXX")
# With Docker's data on a tmpfs, cleaning up is one umount. Deleting the image
# layers from disk took over a minute in a run on a busy 2-core machine.
if mount -t tmpfs -o size=8g,mode=0700 valhalla-container "$temp"; then
    temp_mounted=1
else
    echo "mounting a tmpfs on $temp failed; Docker's data stays on disk" >&2
fi
plugins=$temp/plugins
compose=(docker-compose --env-file "$temp/compose.env" --project-name "$project"
    --file "$repository/docker/compose.yaml")
port=$(mariadb_free_port)

begin_stage "packages"
install_packages
find_docker_client
end_stage

begin_stage "plugin"
build_plugin
end_stage

begin_stage "dockerd"
start_dockerd
end_stage

begin_stage "base-image"
make_base_image
end_stage

begin_stage "images"
build_images
end_stage

begin_stage "compose-up"
seed_plugins
write_compose_env
compose_started=1
timeout "$step_timeout" "${compose[@]}" up --detach --no-build
wait_until_ready
end_stage

begin_stage "non-root"
check_non_root
end_stage

begin_stage "items"
check_item_round_trip
end_stage

begin_stage "drop-in"
check_drop_in
end_stage

begin_stage "stop"
check_clean_stop
end_stage

echo "container test passed"
