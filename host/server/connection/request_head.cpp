#include "server/connection/request_head.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace valhalla::host::server::connection {

namespace {

// Poco's request parser rejects longer header names and methods with a bare 400, so
// the scan checks them first to give the proper status.
constexpr std::size_t kMaxNameLength = 256;
constexpr std::size_t kMaxMethodLength = 32;

// RFC 9110 token characters.
bool isTokenCharacter(char c) {
    static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
    return std::isalnum(static_cast<unsigned char>(c)) ||
           kSymbols.find(c) != std::string_view::npos;
}

bool isToken(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), isTokenCharacter);
}

bool equalsIgnoringCase(std::string_view left, std::string_view right) {
    return left.size() == right.size() &&
           std::equal(left.begin(), left.end(), right.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

bool containsToken(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        if (equalsIgnoringCase(trim(list.substr(0, comma)), token)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::optional<std::uint64_t> parseContentLength(std::string_view text) {
    if (text.empty() || text.size() > 18) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

HeadScan invalid(int status, std::string reason) {
    HeadScan scan;
    scan.kind = HeadScan::Kind::Invalid;
    scan.status = status;
    scan.reason = std::move(reason);
    return scan;
}

HeadScan tooLarge(std::string reason) {
    HeadScan scan;
    scan.kind = HeadScan::Kind::TooLarge;
    scan.status = 431;
    scan.reason = std::move(reason);
    return scan;
}

/// Splits the head into lines without their endings. Returns false on a bare CR.
bool nextLine(std::string_view& rest, std::string_view& line) {
    std::size_t newline = rest.find('\n');
    line = rest.substr(0, newline);
    rest.remove_prefix(newline + 1);
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    return line.find('\r') == std::string_view::npos;
}

std::optional<HeadScan> parseRequestLine(std::string_view line, HeadScan& scan) {
    std::size_t first_space = line.find(' ');
    std::size_t last_space = line.rfind(' ');
    if (first_space == std::string_view::npos || first_space == last_space) {
        return invalid(400, "malformed request line");
    }
    std::string_view method = line.substr(0, first_space);
    std::string_view target = line.substr(first_space + 1, last_space - first_space - 1);
    std::string_view version = line.substr(last_space + 1);
    if (!isToken(method) || method.size() > kMaxMethodLength) {
        return invalid(400, "invalid method in the request line");
    }
    bool target_valid = !target.empty() && std::none_of(target.begin(), target.end(), [](char c) {
        return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
    });
    if (!target_valid) {
        return invalid(400, "invalid request target");
    }
    if (version == "HTTP/1.1") {
        scan.http10 = false;
    } else if (version == "HTTP/1.0") {
        scan.http10 = true;
        scan.keep_alive = false;
    } else if (version.starts_with("HTTP/") && version.size() == 8 &&
               std::isdigit(static_cast<unsigned char>(version[5])) && version[6] == '.' &&
               std::isdigit(static_cast<unsigned char>(version[7]))) {
        return invalid(505,
                       "HTTP version " + std::string(version) + " is not supported; use HTTP/1.1");
    } else {
        return invalid(400, "malformed HTTP version in the request line");
    }
    return std::nullopt;
}

/// Counts of the headers that decide how the body is framed.
struct FramingHeaders {
    int content_length = 0;
    int transfer_encoding = 0;
    int host = 0;
};

std::optional<HeadScan> parseHeaderLine(std::string_view line,
                                        HeadScan& scan,
                                        FramingHeaders& framing) {
    if (line.front() == ' ' || line.front() == '\t') {
        return invalid(400, "obsolete header line folding is not accepted");
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !isToken(line.substr(0, colon))) {
        return invalid(400, "malformed header line");
    }
    std::string_view name = line.substr(0, colon);
    if (name.size() > kMaxNameLength) {
        return tooLarge("a header name exceeds " + std::to_string(kMaxNameLength) + " bytes");
    }
    std::string_view value = trim(line.substr(colon + 1));
    if (std::any_of(value.begin(), value.end(), [](char c) { return c == '\0'; })) {
        return invalid(400, "NUL byte in a header value");
    }
    if (equalsIgnoringCase(name, "Content-Length")) {
        ++framing.content_length;
        auto length = parseContentLength(value);
        if (!length) {
            return invalid(400, "invalid Content-Length");
        }
        scan.has_content_length = true;
        scan.content_length = *length;
    } else if (equalsIgnoringCase(name, "Transfer-Encoding")) {
        ++framing.transfer_encoding;
        if (!equalsIgnoringCase(value, "chunked")) {
            return invalid(400, "Transfer-Encoding other than chunked");
        }
        scan.chunked = true;
    } else if (equalsIgnoringCase(name, "Host")) {
        ++framing.host;
    } else if (equalsIgnoringCase(name, "Connection")) {
        if (containsToken(value, "close")) {
            scan.keep_alive = false;
        } else if (containsToken(value, "keep-alive") && scan.http10) {
            scan.keep_alive = true;
        }
    } else if (equalsIgnoringCase(name, "Expect")) {
        if (!equalsIgnoringCase(value, "100-continue")) {
            return invalid(417, "unsupported Expect value; only 100-continue is supported");
        }
        scan.expect_continue = true;
    }
    return std::nullopt;
}

std::optional<HeadScan> checkFraming(HeadScan& scan, const FramingHeaders& framing) {
    if (framing.content_length > 1) {
        return invalid(400, "more than one Content-Length");
    }
    if (framing.transfer_encoding > 1) {
        return invalid(400, "more than one Transfer-Encoding");
    }
    if (framing.content_length > 0 && framing.transfer_encoding > 0) {
        return invalid(400, "both Transfer-Encoding and Content-Length");
    }
    if (scan.chunked && scan.http10) {
        return invalid(400, "Transfer-Encoding in an HTTP/1.0 request");
    }
    if (!scan.http10 && framing.host != 1) {
        return invalid(400,
                       framing.host == 0 ? "HTTP/1.1 request without Host" : "more than one Host");
    }
    return std::nullopt;
}

}  // namespace

HeadScan scanRequestHead(std::string_view input, const HeadLimits& limits) {
    // Empty lines before the request line are allowed and skipped (RFC 9112 2.2).
    std::size_t start = 0;
    while (start < input.size() && (input[start] == '\r' || input[start] == '\n')) {
        ++start;
    }
    std::size_t end = input.find("\n\r\n", start);
    std::size_t bare_end = input.find("\n\n", start);
    std::size_t head_end = std::min(end == std::string_view::npos ? end : end + 3,
                                    bare_end == std::string_view::npos ? bare_end : bare_end + 2);
    if (head_end == std::string_view::npos) {
        std::string_view partial = input.substr(start);
        std::size_t last_newline = partial.rfind('\n');
        std::size_t open_line = last_newline == std::string_view::npos
                                    ? partial.size()
                                    : partial.size() - last_newline - 1;
        // A CR at the end may be the start of the line ending, which the limit for a
        // complete line does not count either.
        if (open_line > 0 && partial.back() == '\r') {
            --open_line;
        }
        if (partial.size() > limits.max_head_size) {
            return tooLarge("request head exceeds " + std::to_string(limits.max_head_size) +
                            " bytes (server.max_head_size)");
        }
        if (open_line > limits.max_line_length) {
            return tooLarge("a request head line exceeds " +
                            std::to_string(limits.max_line_length) +
                            " bytes (server.max_header_line)");
        }
        return {};
    }
    if (head_end - start > limits.max_head_size) {
        return tooLarge("request head exceeds " + std::to_string(limits.max_head_size) +
                        " bytes (server.max_head_size)");
    }

    HeadScan scan;
    FramingHeaders framing;
    std::string_view rest = input.substr(start, head_end - start);
    std::string_view line;
    std::size_t header_count = 0;
    bool request_line = true;
    while (!rest.empty()) {
        if (!nextLine(rest, line)) {
            return invalid(400, "bare CR in the request head");
        }
        if (line.size() > limits.max_line_length) {
            return tooLarge("a request head line exceeds " +
                            std::to_string(limits.max_line_length) +
                            " bytes (server.max_header_line)");
        }
        if (line.empty()) {
            break;
        }
        std::optional<HeadScan> failure;
        if (request_line) {
            failure = parseRequestLine(line, scan);
            request_line = false;
        } else if (++header_count > limits.max_header_count) {
            return tooLarge("more than " + std::to_string(limits.max_header_count) +
                            " header fields (server.max_header_count)");
        } else {
            failure = parseHeaderLine(line, scan, framing);
        }
        if (failure) {
            return *failure;
        }
    }
    if (auto failure = checkFraming(scan, framing)) {
        return *failure;
    }
    scan.kind = HeadScan::Kind::Complete;
    scan.head_size = head_end;
    return scan;
}

}  // namespace valhalla::host::server::connection
