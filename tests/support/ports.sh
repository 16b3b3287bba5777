# shellcheck shell=bash
# Free TCP ports for servers that the test scripts start on 127.0.0.1. Source this
# file from bash.

# Prints a TCP port below the ephemeral range on which nothing listens on 127.0.0.1,
# so it cannot collide with the ports that tests get by binding port 0. Returns 1
# with a message on stderr when 100 random picks all found a listener.
free_tcp_port() {
    local ephemeral_start port attempt
    read -r ephemeral_start _ </proc/sys/net/ipv4/ip_local_port_range
    if ((ephemeral_start <= 10100)); then
        ephemeral_start=20000
    fi
    for ((attempt = 0; attempt < 100; attempt++)); do
        port=$((10000 + RANDOM % (ephemeral_start - 10000)))
        # A refused connection means nothing listens on the port.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free TCP port found on 127.0.0.1 after 100 attempts" >&2
    return 1
}
