#!/usr/bin/env python3
"""Measure fresh-request latency while many keep-alive connections sit idle.

The tool opens --idle keep-alive connections to 127.0.0.1:PORT, sends one
`GET /hello` on each and reads the response, then leaves them open and idle.
While they are open it times --fresh requests that each use a new connection,
one after another, and prints the results as `key=value` lines:

  idle_*       counts of idle connections that got a response, got none,
               were closed by the server, and were still open at the end
  fresh_*      fresh-request counts and latency (p50, p99 and max in ms,
               over the requests that got a complete 200 response)
  server_*     VmRSS and thread count of --pid while the connections are open

Every phase has a deadline, so the tool always stops by itself. Python 3
standard library only.
"""

import argparse
import math
import resource
import selectors
import socket
import sys
import time

HOST = "127.0.0.1"


def build_request(path):
    return f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: keep-alive\r\n\r\n".encode()


def parse_response(buffer):
    """Return the status code once `buffer` contains a whole response, else None.

    Handles Content-Length bodies and chunked bodies (by their last chunk). A
    response with neither is complete only when the server closes the
    connection, and the caller handles that case.
    """
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    lines = buffer[:head_end].decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        return -1
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = buffer[head_end + 4 :]
    if "content-length" in headers:
        if len(body) >= int(headers["content-length"]):
            return status
        return None
    if "chunked" in headers.get("transfer-encoding", "").lower():
        if body.startswith(b"0\r\n\r\n") or b"\r\n0\r\n\r\n" in body:
            return status
        return None
    return None


def raise_open_file_limit(needed):
    """Raise the soft RLIMIT_NOFILE to the hard limit and exit if that is below `needed`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(
            f"idle_clients.py: the open-files hard limit is {hard}, but {needed} are needed; "
            "raise it (ulimit -Hn, as root) or lower --idle"
        )
    return soft


def read_process_status(pid):
    """Return (VmRSS in KiB, thread count) of `pid` from /proc, or (None, None)."""
    rss_kib = None
    threads = None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss_kib = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
    except OSError as error:
        print(f"idle_clients.py: cannot read /proc/{pid}/status: {error}", file=sys.stderr)
    return rss_kib, threads


def open_idle_connections(port, count, request, setup_timeout):
    """Open `count` connections, send one request on each and read the responses.

    Returns the open sockets and a dict of counts. Connections that got no
    response within `setup_timeout` seconds after the last one was opened stay
    open and count as unanswered.
    """
    counts = {"connect_failed": 0, "answered": 0, "non_200": 0, "unanswered": 0, "closed": 0}
    selector = selectors.DefaultSelector()
    buffers = {}
    open_sockets = []
    for _ in range(count):
        try:
            connection = socket.create_connection((HOST, port), timeout=2.0)
            connection.sendall(request)
        except OSError:
            counts["connect_failed"] += 1
            continue
        connection.setblocking(False)
        open_sockets.append(connection)
        buffers[connection] = b""
        selector.register(connection, selectors.EVENT_READ)

    deadline = time.monotonic() + setup_timeout
    while buffers and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
            connection = key.fileobj
            try:
                data = connection.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                counts["closed"] += 1
            else:
                buffers[connection] += data
                status = parse_response(buffers[connection])
                if status is None:
                    continue
                counts["answered"] += 1
                if status != 200:
                    counts["non_200"] += 1
            selector.unregister(connection)
            del buffers[connection]
            if not data:
                open_sockets.remove(connection)
                connection.close()
    counts["unanswered"] = len(buffers)
    selector.close()
    return open_sockets, counts


def count_still_open(sockets):
    """Count sockets that the server has neither closed nor reset."""
    still_open = 0
    for connection in sockets:
        try:
            data = connection.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            still_open += 1
            continue
        except OSError:
            continue
        if data:
            still_open += 1
    return still_open


def fresh_request(port, request, timeout):
    """Send one request on a new connection and return (outcome, latency in ms).

    The outcome is "ok" (a complete 200 response), "failed" (refused, reset,
    closed early or another status) or "timed_out" (no complete response within
    `timeout` seconds from the start of the connect).
    """
    start = time.perf_counter()
    deadline = start + timeout
    buffer = b""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as connection:
            connection.sendall(request)
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return "timed_out", None
                connection.settimeout(remaining)
                data = connection.recv(65536)
                if not data:
                    return "failed", None
                buffer += data
                status = parse_response(buffer)
                if status is not None:
                    latency_ms = (time.perf_counter() - start) * 1000.0
                    return ("ok" if status == 200 else "failed"), latency_ms
    except socket.timeout:
        return "timed_out", None
    except OSError:
        return "failed", None


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def print_values(prefix, values):
    for name, value in values.items():
        print(f"{prefix}{name}={value}")


def parse_arguments():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )

    parser.add_argument(
        "--port", type=int, required=True, default=argparse.SUPPRESS, help="server port on 127.0.0.1"
    )
    parser.add_argument("--idle", type=int, default=256, help="idle keep-alive connections")
    parser.add_argument("--fresh", type=int, default=200, help="fresh requests to time")
    parser.add_argument("--path", default="/hello", help="request path")
    parser.add_argument(
        "--timeout", type=float, default=2.0, help="seconds allowed per fresh request"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=12.0,
        help="seconds for the fresh-request phase. Servers close idle connections after "
        "their keep-alive timeout (15 s by default in valhalla and Poco), and "
        "idle_still_open reports how many stayed open",
    )
    parser.add_argument(
        "--setup-timeout",
        type=float,
        default=5.0,
        help="seconds to wait for the idle connections' responses after the last one opened",
    )
    parser.add_argument(
        "--interval", type=float, default=0.005, help="seconds between fresh requests"
    )
    parser.add_argument("--pid", type=int, help="server process whose VmRSS and threads to read")

    arguments = parser.parse_args()
    if not 1 <= arguments.port <= 65535:
        parser.error(f"invalid --port {arguments.port}: expected 1 to 65535")
    if arguments.idle < 0 or arguments.fresh < 1:
        parser.error("--idle must be at least 0 and --fresh at least 1")
    return arguments


def main():
    arguments = parse_arguments()
    # The idle sockets, the fresh one, stdio and some headroom.
    open_file_limit = raise_open_file_limit(arguments.idle + 64)
    request = build_request(arguments.path)

    setup_start = time.monotonic()
    idle_sockets, idle_counts = open_idle_connections(
        arguments.port, arguments.idle, request, arguments.setup_timeout
    )
    hold_start = time.monotonic()
    print(f"open_file_limit={open_file_limit}")
    print(f"idle_requested={arguments.idle}")
    print_values("idle_", idle_counts)
    print(f"idle_setup_seconds={hold_start - setup_start:.1f}")

    if arguments.pid is not None:
        rss_kib, threads = read_process_status(arguments.pid)
        print(f"server_rss_kib_after_setup={rss_kib}")
        print(f"server_threads_after_setup={threads}")

    outcomes = {"ok": 0, "failed": 0, "timed_out": 0}
    latencies = []
    budget_end = time.monotonic() + arguments.budget
    attempted = 0
    while attempted < arguments.fresh and time.monotonic() < budget_end:
        attempted += 1
        outcome, latency_ms = fresh_request(arguments.port, request, arguments.timeout)
        outcomes[outcome] += 1
        if latency_ms is not None and outcome == "ok":
            latencies.append(latency_ms)
        time.sleep(arguments.interval)

    print(f"fresh_requested={arguments.fresh}")
    print(f"fresh_attempted={attempted}")
    print_values("fresh_", outcomes)
    if latencies:
        latencies.sort()
        print(f"fresh_p50_ms={percentile(latencies, 0.50):.2f}")
        print(f"fresh_p99_ms={percentile(latencies, 0.99):.2f}")
        print(f"fresh_max_ms={latencies[-1]:.2f}")
    else:
        print("fresh_p50_ms=none")
        print("fresh_p99_ms=none")
        print("fresh_max_ms=none")

    if arguments.pid is not None:
        rss_kib, threads = read_process_status(arguments.pid)
        print(f"server_rss_kib={rss_kib}")
        print(f"server_threads={threads}")

    print(f"idle_still_open={count_still_open(idle_sockets)}")
    print(f"idle_hold_seconds={time.monotonic() - hold_start:.1f}")
    for connection in idle_sockets:
        connection.close()


if __name__ == "__main__":
    main()
