#include "server/connection/chunked_framing.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace valhalla::host::server::connection {
namespace {

// Feeds `body` in one call and returns how many bytes the validator consumed.
std::size_t feedAll(ChunkedFramingValidator& validator, const std::string& body) {
    return validator.feed(body.data(), body.size());
}

// Feeds `body` one byte at a time and returns how many bytes the validator consumed.
std::size_t feedByteByByte(ChunkedFramingValidator& validator, const std::string& body) {
    std::size_t consumed = 0;
    for (char c : body) {
        consumed += validator.feed(&c, 1);
    }
    return consumed;
}

const std::vector<std::pair<const char*, std::string>>& validBodies() {
    static const std::vector<std::pair<const char*, std::string>> bodies = {
        {"empty body", "0\r\n\r\n"},
        {"one chunk", "5\r\nhello\r\n0\r\n\r\n"},
        {"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
        {"upper-case hexadecimal size", "A\r\n0123456789\r\n0\r\n\r\n"},
        {"lower-case hexadecimal size", "a\r\n0123456789\r\n0\r\n\r\n"},
        {"leading zeros in size", "0005\r\nhello\r\n000\r\n\r\n"},
        {"bare line feeds", "5\nhello\n0\n\n"},
        {"chunk extensions", "5;name=value\r\nhello\r\n0;last\r\n\r\n"},
        {"quoted extension value", "5;name=\"a b\"\r\nhello\r\n0\r\n\r\n"},
        {"whitespace before extension", "5 ;name\r\nhello\r\n0\t;x\r\n\r\n"},
        {"whitespace after size", "5 \r\nhello\r\n0\r\n\r\n"},
        {"one trailer", "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n"},
        {"two trailers", "5\r\nhello\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n"},
        {"CR and LF inside chunk data", "4\r\n\r\n\r\n\r\n0\r\n\r\n"},
        {"15-digit size with leading zeros", "000000000000003\r\nabc\r\n0\r\n\r\n"},
    };
    return bodies;
}

TEST(ChunkedFraming, ValidBodiesFedAllAtOnce) {
    for (const auto& [name, body] : validBodies()) {
        SCOPED_TRACE(name);
        ChunkedFramingValidator validator;

        std::size_t consumed = feedAll(validator, body);

        EXPECT_EQ(consumed, body.size());
        EXPECT_TRUE(validator.complete());
    }
}

TEST(ChunkedFraming, ValidBodiesFedByteByByte) {
    for (const auto& [name, body] : validBodies()) {
        SCOPED_TRACE(name);
        ChunkedFramingValidator validator;

        std::size_t consumed = feedByteByByte(validator, body);

        EXPECT_EQ(consumed, body.size());
        EXPECT_TRUE(validator.complete());
    }
}

TEST(ChunkedFraming, IncompleteUntilLastLine) {
    std::string body = "5\r\nhello\r\n0\r\nX-A: 1\r\n\r\n";
    ChunkedFramingValidator validator;

    for (std::size_t i = 0; i + 1 < body.size(); ++i) {
        SCOPED_TRACE("after byte " + std::to_string(i));

        std::size_t consumed = validator.feed(&body[i], 1);

        EXPECT_EQ(consumed, 1u);
        EXPECT_FALSE(validator.complete());
    }
    EXPECT_EQ(validator.feed(&body.back(), 1), 1u);
    EXPECT_TRUE(validator.complete());
}

TEST(ChunkedFraming, LeavesBytesAfterEnd) {
    std::string body = "5\r\nhello\r\n0\r\nX-A: 1\r\n\r\n";
    std::string next_request = "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n";
    ChunkedFramingValidator validator;

    std::size_t consumed = feedAll(validator, body + next_request);
    std::size_t consumed_after_end = feedAll(validator, next_request);

    EXPECT_EQ(consumed, body.size());
    EXPECT_TRUE(validator.complete());
    EXPECT_EQ(consumed_after_end, 0u);
}

TEST(ChunkedFraming, DataSplitAcrossFeeds) {
    ChunkedFramingValidator validator;
    std::vector<std::string> parts = {"1", "0\r\n01234", "56789abcdef", "\r", "\n0", "\r\n\r\n"};

    std::size_t consumed = 0;
    for (const auto& part : parts) {
        consumed += feedAll(validator, part);
    }

    EXPECT_EQ(consumed, std::string("10\r\n0123456789abcdef\r\n0\r\n\r\n").size());
    EXPECT_TRUE(validator.complete());
}

TEST(ChunkedFraming, MalformedBodiesThrow) {
    struct Case {
        const char* name;
        std::string body;
    };

    const std::vector<Case> cases = {
        {"empty size line", "\r\nhello\r\n0\r\n\r\n"},
        {"size with no digits", "zz\r\nhello\r\n0\r\n\r\n"},
        {"negative size", "-5\r\nhello\r\n0\r\n\r\n"},
        {"extension without size", ";ext\r\nhello\r\n0\r\n\r\n"},
        {"leading whitespace before size", " 5\r\nhello\r\n0\r\n\r\n"},
        {"16 hexadecimal digits", "0000000000000005\r\nhello\r\n0\r\n\r\n"},
        {"size that overflows 64 bits", "10000000000000000\r\n"},
        {"letter after size", "5x\r\nhello\r\n0\r\n\r\n"},
        {"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"},
        {"word after size and space", "5 junk\r\nhello\r\n0\r\n\r\n"},
        {"data longer than size", "5\r\nhello!\r\n0\r\n\r\n"},
        {"data without line ending", "5\r\nhelloX0\r\n\r\n"},
        {"CR without LF after data", "5\r\nhello\rX0\r\n\r\n"},
        {"CR CR after data", "5\r\nhello\r\r\n0\r\n\r\n"},
        {"size line over 4096 bytes", "5;" + std::string(4100, 'e') + "\r\nhello\r\n0\r\n\r\n"},
        {"unterminated size line over 4096 bytes", std::string(5000, '0')},
        {"trailer line over 4096 bytes", "0\r\nX-A: " + std::string(4100, 't') + "\r\n\r\n"},
    };

    for (const auto& test_case : cases) {
        SCOPED_TRACE(test_case.name);
        ChunkedFramingValidator whole;
        ChunkedFramingValidator bytes;

        EXPECT_THROW(feedAll(whole, test_case.body), ChunkedFramingError);
        EXPECT_THROW(feedByteByByte(bytes, test_case.body), ChunkedFramingError);
        EXPECT_FALSE(whole.complete());
        EXPECT_FALSE(bytes.complete());
    }
}

TEST(ChunkedFraming, ErrorMessageNamesProblem) {
    ChunkedFramingValidator size_validator;
    ChunkedFramingValidator data_validator;
    std::string bad_size = "zz\r\n";
    std::string bad_data = "1\r\naX";

    std::string size_message;
    std::string data_message;
    try {
        feedAll(size_validator, bad_size);
    } catch (const ChunkedFramingError& error) {
        size_message = error.what();
    }
    try {
        feedAll(data_validator, bad_data);
    } catch (const ChunkedFramingError& error) {
        data_message = error.what();
    }

    EXPECT_NE(size_message.find("invalid chunk size"), std::string::npos) << size_message;
    EXPECT_NE(data_message.find("missing CRLF after chunk data"), std::string::npos)
        << data_message;
}

TEST(ChunkedFraming, LongLineUnderLimitIsAccepted) {
    // 4095 bytes of size and extension plus the CR stay within the 4096-byte line limit.
    std::string extension = ";" + std::string(4093, 'e');
    std::string body = "5" + extension + "\r\nhello\r\n0\r\n\r\n";
    ChunkedFramingValidator validator;

    std::size_t consumed = feedAll(validator, body);

    EXPECT_EQ(consumed, body.size());
    EXPECT_TRUE(validator.complete());
}

}  // namespace
}  // namespace valhalla::host::server::connection
