#include "server/connection/chunked_framing.hpp"

#include <algorithm>
#include <cctype>

namespace valhalla::host::server::connection {

namespace {

// Maximum length of a chunk size line or trailer line, extensions included.
constexpr std::size_t kMaxLineLength = 4096;
// Sixteen hexadecimal digits would overflow the 64-bit size when shifted.
constexpr std::size_t kMaxSizeDigits = 15;

}  // namespace

void ChunkedFramingValidator::finishSizeLine() {
    std::string_view line = line_;
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    std::size_t digits = 0;
    while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) {
        ++digits;
    }
    if (digits == 0 || digits > kMaxSizeDigits) {
        throw ChunkedFramingError("invalid chunk size '" + std::string(line.substr(0, 32)) + "'");
    }
    std::string_view rest = line.substr(digits);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
        rest.remove_prefix(1);
    }
    if (!rest.empty() && rest.front() != ';') {
        throw ChunkedFramingError("invalid characters after the chunk size");
    }
    remaining_ = std::stoull(std::string(line.substr(0, digits)), nullptr, 16);
    line_.clear();
    state_ = remaining_ == 0 ? State::TrailerLine : State::Data;
}

std::size_t ChunkedFramingValidator::feed(const char* data, std::size_t length) {
    std::size_t index = 0;
    while (index < length && state_ != State::Done) {
        char c = data[index];
        switch (state_) {
            case State::SizeLine:
            case State::TrailerLine:
                ++index;
                if (c != '\n') {
                    if (line_.size() >= kMaxLineLength) {
                        throw ChunkedFramingError("chunk size or trailer line is too long");
                    }
                    line_.push_back(c);
                    break;
                }
                if (state_ == State::SizeLine) {
                    finishSizeLine();
                } else if (line_.empty() || line_ == "\r") {
                    state_ = State::Done;
                } else {
                    line_.clear();
                }
                break;
            case State::Data: {
                auto take =
                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, length - index));
                index += take;
                remaining_ -= take;
                if (remaining_ == 0) {
                    state_ = State::DataCr;
                }
                break;
            }
            case State::DataCr:
                ++index;
                if (c == '\n') {
                    state_ = State::SizeLine;
                } else if (c == '\r') {
                    state_ = State::DataLf;
                } else {
                    throw ChunkedFramingError("missing CRLF after chunk data");
                }
                break;
            case State::DataLf:
                ++index;
                if (c != '\n') {
                    throw ChunkedFramingError("missing CRLF after chunk data");
                }
                state_ = State::SizeLine;
                break;
            case State::Done:
                break;
        }
    }
    return index;
}

}  // namespace valhalla::host::server::connection
