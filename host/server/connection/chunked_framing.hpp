#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace valhalla::host::server::connection {

/// Thrown when a chunked request body is malformed.
class ChunkedFramingError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Checks the framing of a chunked request body as its bytes arrive.
///
/// Poco 1.11 treats an unparsable chunk size as the end of the body, which would let
/// the rest of the body be parsed as the next request. This validator checks the same
/// bytes first and rejects such a body, so the connection can be closed instead.
class ChunkedFramingValidator {
public:
    /// Checks `length` more body bytes. Throws ChunkedFramingError on a malformed
    /// chunk size line, a missing CRLF after chunk data, or an over-long line.
    /// Returns how many of the bytes belong to the body. Bytes after the last chunk
    /// and its trailers belong to the next request, so they are not checked.
    std::size_t feed(const char* data, std::size_t length);

    /// Whether the terminating chunk and trailers have been seen.
    bool complete() const { return state_ == State::Done; }

private:
    enum class State { SizeLine, Data, DataCr, DataLf, TrailerLine, Done };

    void finishSizeLine();

    State state_ = State::SizeLine;
    std::string line_;
    std::uint64_t remaining_ = 0;
};

}  // namespace valhalla::host::server::connection
