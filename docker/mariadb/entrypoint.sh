#!/bin/sh
# Entry point of the MariaDB image. On the first start (an empty /var/lib/mysql)
# it initializes the data folder and creates MARIADB_DATABASE
# (utf8mb4) and MARIADB_USER@'%' identified by MARIADB_PASSWORD, with a server
# that listens on no TCP port meanwhile. Then it replaces itself with mariadbd
# listening on all addresses of the container, as the mysql user. Arguments are
# passed to mariadbd.
set -eu

datadir=/var/lib/mysql
init_socket=/run/mysqld/init.sock
# Written last by a successful initialization.
marker=$datadir/.initialized

fail() {
    echo "mariadb-entrypoint: $*" >&2
    exit 1
}

# Exits unless $2 is a name that needs no quoting in SQL.
check_identifier() {
    case $2 in
        "" | *[!A-Za-z0-9_]*)
            fail "$1='$2' is invalid: use 1 to 64 characters from A-Z, a-z, 0-9 and _"
            ;;
    esac
    if [ "${#2}" -gt 64 ]; then
        fail "$1='$2' is longer than 64 characters"
    fi
}

# Prints $1 as the inside of a single-quoted SQL string: \ and ' are doubled.
sql_string() {
    printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g"
}

initialize() {
    database=${MARIADB_DATABASE:-}
    user=${MARIADB_USER:-}
    password=${MARIADB_PASSWORD:-}
    check_identifier MARIADB_DATABASE "$database"
    check_identifier MARIADB_USER "$user"
    if [ -z "$password" ]; then
        fail "MARIADB_PASSWORD is empty: set the password of $user"
    fi

    echo "mariadb-entrypoint: initializing $datadir for database $database and user $user"
    mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
        --auth-root-authentication-method=socket >/dev/null
    mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket="$init_socket" &
    pid=$!

    attempt=0
    until mariadb-admin --no-defaults --socket="$init_socket" -uroot ping >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null; then
            fail "mariadbd exited while the data folder was initialized; see its log above"
        fi
        attempt=$((attempt + 1))
        if [ "$attempt" -ge 600 ]; then
            fail "mariadbd did not answer on $init_socket within 60 s"
        fi
        sleep 0.1
    done

    mariadb --no-defaults --socket="$init_socket" -uroot --execute="
        CREATE DATABASE \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        CREATE USER '$user'@'%' IDENTIFIED BY '$(sql_string "$password")';
        GRANT ALL PRIVILEGES ON \`$database\`.* TO '$user'@'%';"

    mariadb-admin --no-defaults --socket="$init_socket" -uroot shutdown
    wait "$pid"
    touch "$marker"
    echo "mariadb-entrypoint: initialization complete"
}

mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld "$datadir"
if [ ! -e "$marker" ]; then
    if [ -n "$(ls -A "$datadir")" ]; then
        fail "$datadir is not empty but was never fully initialized; remove the volume" \
            "(docker-compose down -v) and start again"
    fi
    initialize
fi
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 --skip-name-resolve "$@"
