#!/bin/sh
# Health check of the MariaDB image: logs in over TCP as MARIADB_USER and runs
# SELECT 1 in MARIADB_DATABASE. It fails while the entry point still initializes
# the data folder, because that runs with networking off, so "healthy" means
# that the application's database and user exist and accept connections.
set -eu

export MYSQL_PWD="$MARIADB_PASSWORD"
exec mariadb --no-defaults --protocol=tcp --host=127.0.0.1 \
    --user="$MARIADB_USER" --connect-timeout=3 --batch --skip-column-names \
    --execute='SELECT 1' "$MARIADB_DATABASE" >/dev/null
