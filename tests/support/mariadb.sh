# shellcheck shell=bash
# Functions that run a private MariaDB server for the tests: on 127.0.0.1 only,
# with its own data folder, socket and port, stopped by its pid. Source this file
# from bash.
#
#   mariadb_free_port        prints a TCP port on 127.0.0.1 that nothing listens on
#   mariadb_start DIR PORT   initializes DIR/data, starts mariadbd on PORT, creates
#                            the user valhalla@127.0.0.1 with a random password and
#                            the database valhalla_test, and exports
#                            VALHALLA_TEST_MYSQL_HOST, _PORT, _USER, _PASSWORD and
#                            _DATABASE for the tests
#   mariadb_stop DIR         stops the server started in DIR and waits until it is
#                            gone; does nothing when none runs
#
# As root, mariadbd needs --user=root. As another user the option is left out,
# because mariadb-install-db would fail to chown the data folder to root, and the
# server runs as that user.

# shellcheck source=tests/support/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

# Prints the path of mariadbd, which Debian installs in /usr/sbin, a folder that
# is not on PATH for every user.
mariadb_server_binary() {
    if [[ -x /usr/sbin/mariadbd ]]; then
        echo /usr/sbin/mariadbd
    elif command -v mariadbd; then
        return 0
    else
        echo "mariadbd not found in /usr/sbin or PATH; install the mariadb-server package" >&2
        return 1
    fi
}

# Prints a free TCP port on 127.0.0.1 for the server.
mariadb_free_port() {
    free_tcp_port
}

mariadb_start() {
    local dir=$1 port=$2
    local data=$dir/data
    local socket=$data/mysqld.sock
    local server pid password attempt
    local user_option=()
    if ((EUID == 0)); then
        user_option=(--user=root)
    fi
    server=$(mariadb_server_binary)
    # A private temporary folder keeps the bootstrap's temporary tables away
    # from other processes that use /tmp.
    mkdir -p "$dir/tmp"

    if ! mariadb-install-db --no-defaults --datadir="$data" --tmpdir="$dir/tmp" "${user_option[@]}" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
        echo "mariadb-install-db failed for $data; its output:" >&2
        cat "$dir/install.log" >&2
        return 1
    fi

    "$server" --no-defaults --datadir="$data" --tmpdir="$dir/tmp" --socket="$socket" \
        --pid-file="$data/mysqld.pid" --port="$port" --bind-address=127.0.0.1 \
        "${user_option[@]}" --log-error="$data/error.log" --skip-name-resolve \
        </dev/null >"$dir/mariadbd.out" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/mariadbd.pid"

    # Waits up to 30 s in steps of 0.1 s, although start-up usually takes under a second.
    for ((attempt = 0; ; attempt++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "mariadbd exited during start-up; its error log:" >&2
            cat "$data/error.log" "$dir/mariadbd.out" >&2 2>/dev/null || true
            rm -f "$dir/mariadbd.pid"
            return 1
        fi
        if mariadb-admin --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1; then
            break
        fi
        if ((attempt >= 300)); then
            echo "mariadbd on port $port did not answer a ping within 30 s; its error log:" >&2
            cat "$data/error.log" >&2 2>/dev/null || true
            mariadb_stop "$dir"
            return 1
        fi
        sleep 0.1
    done

    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    if ! mariadb --no-defaults --socket="$socket" -uroot -e "
        CREATE USER 'valhalla'@'127.0.0.1' IDENTIFIED BY '$password';
        GRANT ALL PRIVILEGES ON *.* TO 'valhalla'@'127.0.0.1';
        CREATE DATABASE valhalla_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"; then
        echo "creating the valhalla user and database failed" >&2
        mariadb_stop "$dir"
        return 1
    fi

    export VALHALLA_TEST_MYSQL_HOST=127.0.0.1
    export VALHALLA_TEST_MYSQL_PORT=$port
    export VALHALLA_TEST_MYSQL_USER=valhalla
    export VALHALLA_TEST_MYSQL_PASSWORD=$password
    export VALHALLA_TEST_MYSQL_DATABASE=valhalla_test
}

mariadb_stop() {
    local dir=$1
    local pid="" waited
    if [[ -s $dir/mariadbd.pid ]]; then
        pid=$(<"$dir/mariadbd.pid")
    elif [[ -s $dir/data/mysqld.pid ]]; then
        pid=$(<"$dir/data/mysqld.pid")
    fi
    if [[ ! $pid =~ ^[1-9][0-9]*$ ]]; then
        return 0
    fi

    if kill -TERM "$pid" 2>/dev/null; then
        # A clean shutdown flushes InnoDB and usually takes about a second, so 60 s is ample.
        for ((waited = 0; ; waited++)); do
            if ! kill -0 "$pid" 2>/dev/null; then
                break
            fi
            if ((waited >= 600)); then
                echo "mariadbd (pid $pid) still runs 60 s after SIGTERM; sending SIGKILL" >&2
                kill -KILL "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.1
        done
    fi
    # Collects the exit status when this shell started the server; no-op otherwise.
    wait "$pid" 2>/dev/null || true
    rm -f "$dir/mariadbd.pid"
}
