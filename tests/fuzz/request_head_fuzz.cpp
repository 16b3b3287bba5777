// Fuzzes the connection layer's request checks: scanRequestHead and
// ChunkedFramingValidator.
//
// The input is the bytes a client sends, such as "GET / HTTP/1.1\r\nHost: a\r\n\r\n".
// When the first byte is 0xFF, the next five bytes are parameters and the rest is data:
//
//   byte 1-2   split point, big-endian, taken modulo (data size + 1)
//   byte 3     HeadLimits::max_line_length, 0 keeps the default
//   byte 4     HeadLimits::max_head_size in units of 16 bytes, 0 keeps the default
//   byte 5     HeadLimits::max_header_count, 0 keeps the default
//
// Otherwise the whole input is data, the split point is its middle and the limits are
// the defaults. Small limits let the fuzzer reach each limit's edge with short inputs.
//
// Checks:
// - A Complete scan has 0 < head_size <= data size, and scanning only the head gives
//   the same result.
// - The connection scans again each time more bytes arrive and acts on the first result
//   that is not Incomplete. So when the data up to the split point scans as Complete,
//   the whole data must scan the same, and a head that the prefix scan rejects must not
//   be Complete in the whole data.
// - The chunked body after a Complete chunked head, or the whole data when there is
//   none, gives the same result fed in one call, in two calls split at the split point,
//   and byte by byte. ChunkedFramingError is expected, but any other exception is a crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/connection/chunked_framing.hpp"
#include "server/connection/request_head.hpp"

namespace {

using valhalla::host::server::connection::ChunkedFramingError;
using valhalla::host::server::connection::ChunkedFramingValidator;
using valhalla::host::server::connection::HeadLimits;
using valhalla::host::server::connection::HeadScan;
using valhalla::host::server::connection::scanRequestHead;

constexpr std::uint8_t kParameterMarker = 0xFF;
constexpr std::size_t kParameterSize = 6;
// Byte-by-byte feeding costs one call per byte, so it runs on short bodies only.
constexpr std::size_t kMaxByteByByteLength = 4096;

void require(bool condition, const char* invariant) {
    if (!condition) {
        std::fprintf(stderr, "invariant violated: %s\n", invariant);
        std::abort();
    }
}

struct FuzzInput {
    std::string_view data;
    std::size_t split = 0;
    HeadLimits limits;
};

FuzzInput decodeInput(const std::uint8_t* bytes, std::size_t size) {
    FuzzInput input;
    if (size < kParameterSize || bytes[0] != kParameterMarker) {
        input.data = std::string_view(reinterpret_cast<const char*>(bytes), size);
        input.split = size / 2;
        return input;
    }

    input.data = std::string_view(reinterpret_cast<const char*>(bytes) + kParameterSize,
                                  size - kParameterSize);
    input.split = (std::size_t{bytes[1]} << 8 | bytes[2]) % (input.data.size() + 1);
    if (bytes[3] != 0) {
        input.limits.max_line_length = bytes[3];
    }
    if (bytes[4] != 0) {
        input.limits.max_head_size = std::size_t{bytes[4]} * 16;
    }
    if (bytes[5] != 0) {
        input.limits.max_header_count = bytes[5];
    }
    return input;
}

bool sameScan(const HeadScan& left, const HeadScan& right) {
    return left.kind == right.kind && left.head_size == right.head_size &&
           left.status == right.status && left.http10 == right.http10 &&
           left.keep_alive == right.keep_alive && left.expect_continue == right.expect_continue &&
           left.chunked == right.chunked && left.has_content_length == right.has_content_length &&
           left.content_length == right.content_length;
}

bool isRejected(const HeadScan& scan) {
    return scan.kind == HeadScan::Kind::Invalid || scan.kind == HeadScan::Kind::TooLarge;
}

void checkScanFields(const HeadScan& scan, std::string_view data) {
    switch (scan.kind) {
        case HeadScan::Kind::Incomplete:
            require(scan.status == 0, "Incomplete has no status");
            break;
        case HeadScan::Kind::Complete:
            require(scan.head_size > 0, "a Complete head is not empty");
            require(scan.head_size <= data.size(), "a Complete head lies within the input");
            require(data[scan.head_size - 1] == '\n', "a Complete head ends with a line feed");
            require(!(scan.chunked && scan.has_content_length), "chunked or Content-Length");
            break;
        case HeadScan::Kind::TooLarge:
            require(scan.status == 431, "TooLarge responds 431");
            break;
        case HeadScan::Kind::Invalid:
            require(scan.status == 400 || scan.status == 417 || scan.status == 505,
                    "Invalid responds 400, 417 or 505");
            require(!scan.reason.empty(), "Invalid has a reason");
            break;
    }
}

HeadScan checkHead(const FuzzInput& input) {
    HeadScan whole = scanRequestHead(input.data, input.limits);
    checkScanFields(whole, input.data);
    if (whole.kind == HeadScan::Kind::Complete) {
        HeadScan head_only = scanRequestHead(input.data.substr(0, whole.head_size), input.limits);
        require(sameScan(head_only, whole), "scanning only the head gives the same result");
    }

    std::string_view prefix = input.data.substr(0, input.split);
    HeadScan partial = scanRequestHead(prefix, input.limits);
    checkScanFields(partial, prefix);
    if (partial.kind == HeadScan::Kind::Complete) {
        require(sameScan(partial, whole), "a head complete in a prefix scans the same in full");
    }
    require(!(isRejected(partial) && whole.kind == HeadScan::Kind::Complete),
            "a head rejected in a prefix is not accepted in full");
    return whole;
}

// Outcome of feeding a body to a validator: body bytes, completion or the error.
struct FeedResult {
    std::size_t consumed = 0;
    bool complete = false;
    bool failed = false;
    std::string error;
};

// Feeds `body` in calls of at most `step` bytes, and first `first` bytes when non-zero,
// stopping once the validator is complete as the connection does.
FeedResult feedBody(std::string_view body, std::size_t first, std::size_t step) {
    ChunkedFramingValidator validator;
    FeedResult result;
    try {
        std::size_t offset = 0;
        while (offset < body.size() && !validator.complete()) {
            std::size_t length = offset == 0 && first != 0 ? first : step;
            length = std::min(length, body.size() - offset);
            std::size_t body_bytes = validator.feed(body.data() + offset, length);
            require(body_bytes <= length, "feed takes no more than it is given");
            require(body_bytes == length || validator.complete(), "feed takes all until complete");
            result.consumed += body_bytes;
            offset += length;
        }
    } catch (const ChunkedFramingError& error) {
        result.failed = true;
        result.error = error.what();
    }
    result.complete = validator.complete();
    return result;
}

void requireSameFeed(const FeedResult& left, const FeedResult& right, const char* invariant) {
    require(left.failed == right.failed, invariant);
    require(left.error == right.error, invariant);
    if (!left.failed) {
        require(left.consumed == right.consumed, invariant);
        require(left.complete == right.complete, invariant);
    }
}

void checkChunked(std::string_view body, std::size_t split) {
    FeedResult whole = feedBody(body, 0, body.size());
    require(whole.failed || whole.complete || whole.consumed == body.size(),
            "an incomplete body is taken whole");

    requireSameFeed(feedBody(body, split, body.size()), whole, "a split feed gives the same");
    if (body.size() <= kMaxByteByByteLength) {
        requireSameFeed(feedBody(body, 0, 1), whole, "a byte-by-byte feed gives the same");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput input = decodeInput(data, size);

    HeadScan head = checkHead(input);

    if (head.kind == HeadScan::Kind::Complete && head.chunked) {
        std::string_view body = input.data.substr(head.head_size);
        checkChunked(body, input.split > head.head_size ? input.split - head.head_size : 0);
    } else {
        checkChunked(input.data, input.split);
    }
    return 0;
}
