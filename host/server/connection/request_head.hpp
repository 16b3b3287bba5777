#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace valhalla::host::server::connection {

/// Limits on a request head, checked before the head reaches a request thread.
struct HeadLimits {
    /// Largest request head in bytes, request line and header lines included.
    std::size_t max_head_size = 32 * 1024;
    /// Maximum length of one line of the head, in bytes without the line ending.
    std::size_t max_line_length = 8 * 1024;
    /// Largest number of header fields.
    std::size_t max_header_count = 100;
};

/// Result of scanning the start of a connection's input for a request head.
struct HeadScan {
    enum class Kind {
        /// More bytes are needed.
        Incomplete,
        /// `head_size` bytes form a valid head.
        Complete,
        /// The head breaks a size limit: respond 431 and close.
        TooLarge,
        /// The head is malformed or ambiguous: respond with `status` (400, 417 or 505) and close.
        Invalid,
    };

    Kind kind = Kind::Incomplete;
    std::size_t head_size = 0;
    int status = 0;
    std::string reason;

    /// Facts about a complete head that the connection layer needs.
    bool http10 = false;
    bool keep_alive = true;
    bool expect_continue = false;
    bool chunked = false;
    bool has_content_length = false;
    std::uint64_t content_length = 0;
};

/// Scans `input` for one request head and validates it: the request line, header
/// syntax, the limits, and the request-smuggling rules. A request with both
/// Transfer-Encoding and Content-Length, more than one Content-Length, a
/// Transfer-Encoding other than `chunked`, or HTTP/1.1 without exactly one Host is
/// Invalid. Lines end with CRLF or a bare LF; a bare CR anywhere else is Invalid.
HeadScan scanRequestHead(std::string_view input, const HeadLimits& limits);

}  // namespace valhalla::host::server::connection
