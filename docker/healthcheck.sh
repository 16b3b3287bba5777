#!/bin/sh
# Health check of the valhalla image: GET /healthz on the container's own port.
# It reads the port from FLASK_PORT (default 5000) and uses HTTPS when
# SSL_CERT_PATH is set. The certificate is not verified, because it names the
# public host name, not 127.0.0.1. Settings given only in a configuration file
# or .env are not seen here; set FLASK_PORT and SSL_CERT_PATH in the environment.
set -eu

port=${FLASK_PORT:-5000}
scheme=http
if [ -n "${SSL_CERT_PATH:-}" ]; then
    scheme=https
fi
exec curl --fail --silent --show-error --insecure --max-time 4 --output /dev/null \
    "$scheme://127.0.0.1:$port/healthz"
