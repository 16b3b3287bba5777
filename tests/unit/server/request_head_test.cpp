#include "server/connection/request_head.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace valhalla::host::server::connection {
namespace {

using Kind = HeadScan::Kind;

HeadLimits defaultLimits() {
    return HeadLimits{};
}

// Builds a head from lines, each ended with CRLF, followed by the empty line.
std::string head(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) {
        text += line + "\r\n";
    }
    return text + "\r\n";
}

TEST(RequestHead, CompleteHeadReportsItsSize) {
    std::string text = head({"GET /hello HTTP/1.1", "Host: example.test"});

    HeadScan scan = scanRequestHead(text + "next bytes", defaultLimits());

    EXPECT_EQ(scan.kind, Kind::Complete);
    EXPECT_EQ(scan.head_size, text.size());
    EXPECT_EQ(scan.status, 0);
    EXPECT_FALSE(scan.http10);
    EXPECT_TRUE(scan.keep_alive);
    EXPECT_FALSE(scan.expect_continue);
    EXPECT_FALSE(scan.chunked);
    EXPECT_FALSE(scan.has_content_length);
}

TEST(RequestHead, IncompleteHeadNeedsMoreBytes) {
    std::string text = head({"GET /hello HTTP/1.1", "Host: example.test"});

    for (std::size_t length = 0; length < text.size(); ++length) {
        SCOPED_TRACE("prefix length " + std::to_string(length));

        HeadScan scan = scanRequestHead(text.substr(0, length), defaultLimits());

        EXPECT_EQ(scan.kind, Kind::Incomplete);
        EXPECT_EQ(scan.head_size, 0u);
    }
}

TEST(RequestHead, AcceptsBareLineFeeds) {
    std::string text = "GET /hello HTTP/1.1\nHost: example.test\n\n";

    HeadScan scan = scanRequestHead(text + "GET", defaultLimits());

    EXPECT_EQ(scan.kind, Kind::Complete);
    EXPECT_EQ(scan.head_size, text.size());
}

TEST(RequestHead, AcceptsMixedLineEndings) {
    std::string text = "GET /hello HTTP/1.1\r\nHost: example.test\nAccept: */*\r\n\n";

    HeadScan scan = scanRequestHead(text, defaultLimits());

    EXPECT_EQ(scan.kind, Kind::Complete);
    EXPECT_EQ(scan.head_size, text.size());
}

TEST(RequestHead, SkipsLeadingEmptyLines) {
    std::string text = "\r\n\n\r\n" + head({"GET /hello HTTP/1.1", "Host: example.test"});

    HeadScan scan = scanRequestHead(text, defaultLimits());

    EXPECT_EQ(scan.kind, Kind::Complete);
    EXPECT_EQ(scan.head_size, text.size());
}

TEST(RequestHead, OnlyEmptyLinesAreIncomplete) {
    HeadScan scan = scanRequestHead("\r\n\r\n\n", defaultLimits());

    EXPECT_EQ(scan.kind, Kind::Incomplete);
}

TEST(RequestHead, InvalidHeadsGet400) {
    struct Case {
        const char* name;
        std::string text;
    };

    const std::vector<Case> cases = {
        {"request line without spaces", head({"GET", "Host: a"})},
        {"request line with one space", head({"GET /hello", "Host: a"})},
        {"empty request target", head({"GET  HTTP/1.1", "Host: a"})},
        {"control character in target", head({"GET /a\x01 HTTP/1.1", "Host: a"})},
        {"method with a separator", head({"GE(T /hello HTTP/1.1", "Host: a"})},
        {"method longer than 32 bytes", head({std::string(33, 'G') + " / HTTP/1.1", "Host: a"})},
        {"version without HTTP prefix", head({"GET /hello FTP/1.1", "Host: a"})},
        {"version with letters", head({"GET /hello HTTP/1.x", "Host: a"})},
        {"lower-case version", head({"GET /hello http/1.1", "Host: a"})},
        {"header without colon", head({"GET /hello HTTP/1.1", "Host: a", "NoColon"})},
        {"space before colon", head({"GET /hello HTTP/1.1", "Host : a"})},
        {"empty header name", head({"GET /hello HTTP/1.1", "Host: a", ": value"})},
        {"obsolete line folding", head({"GET /hello HTTP/1.1", "Host: a", "X-A: b", " c"})},
        {"NUL in a header value",
         head({"GET /hello HTTP/1.1", "Host: a", std::string("X-A: b\0c", 8)})},
        {"bare CR inside a line", head({"GET /hello HTTP/1.1", "Host: a\rX-B: c"})},
        {"HTTP/1.1 without Host", head({"GET /hello HTTP/1.1"})},
        {"two Host headers", head({"GET /hello HTTP/1.1", "Host: a", "Host: b"})},
        {"Content-Length and Transfer-Encoding",
         head({"POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Transfer-Encoding: chunked"})},
        {"Transfer-Encoding and Content-Length",
         head({"POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked", "Content-Length: 5"})},
        {"two different Content-Length",
         head({"POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Content-Length: 6"})},
        {"two equal Content-Length",
         head({"POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Content-Length: 5"})},
        {"Content-Length list", head({"POST / HTTP/1.1", "Host: a", "Content-Length: 5, 5"})},
        {"negative Content-Length", head({"POST / HTTP/1.1", "Host: a", "Content-Length: -1"})},
        {"signed Content-Length", head({"POST / HTTP/1.1", "Host: a", "Content-Length: +5"})},
        {"empty Content-Length", head({"POST / HTTP/1.1", "Host: a", "Content-Length:"})},
        {"hexadecimal Content-Length",
         head({"POST / HTTP/1.1", "Host: a", "Content-Length: 0x10"})},
        {"19-digit Content-Length",
         head({"POST / HTTP/1.1", "Host: a", "Content-Length: 1000000000000000000"})},
        {"Transfer-Encoding gzip", head({"POST / HTTP/1.1", "Host: a", "Transfer-Encoding: gzip"})},
        {"Transfer-Encoding list ending in chunked",
         head({"POST / HTTP/1.1", "Host: a", "Transfer-Encoding: gzip, chunked"})},
        {"Transfer-Encoding identity",
         head({"POST / HTTP/1.1", "Host: a", "Transfer-Encoding: identity"})},
        {"two Transfer-Encoding",
         head({"POST / HTTP/1.1",
               "Host: a",
               "Transfer-Encoding: chunked",
               "Transfer-Encoding: chunked"})},
        {"chunked HTTP/1.0 request", head({"POST / HTTP/1.0", "Transfer-Encoding: chunked"})},
    };

    for (const auto& test_case : cases) {
        SCOPED_TRACE(test_case.name);

        HeadScan scan = scanRequestHead(test_case.text, defaultLimits());

        EXPECT_EQ(scan.kind, Kind::Invalid);
        EXPECT_EQ(scan.status, 400);
        EXPECT_FALSE(scan.reason.empty());
        EXPECT_EQ(scan.head_size, 0u);
    }
}

TEST(RequestHead, UnsupportedVersionGets505) {
    for (const char* version : {"HTTP/2.0", "HTTP/0.9", "HTTP/1.2", "HTTP/3.0"}) {
        SCOPED_TRACE(version);
        std::string text = head({std::string("GET /hello ") + version, "Host: a"});

        HeadScan scan = scanRequestHead(text, defaultLimits());

        EXPECT_EQ(scan.kind, Kind::Invalid);
        EXPECT_EQ(scan.status, 505);
    }
}

TEST(RequestHead, OtherExpectValueGets417) {
    for (const char* value : {"200-ok", "100-continue-please", "", "100-continue, foo"}) {
        SCOPED_TRACE(std::string("Expect: ") + value);
        std::string text = head({"POST /items HTTP/1.1",
                                 "Host: a",
                                 "Content-Length: 3",
                                 std::string("Expect: ") + value});

        HeadScan scan = scanRequestHead(text, defaultLimits());

        EXPECT_EQ(scan.kind, Kind::Invalid);
        EXPECT_EQ(scan.status, 417);
    }
}

TEST(RequestHead, ExpectContinueIsReported) {
    for (const char* value : {"100-continue", "100-Continue", "  100-continue  "}) {
        SCOPED_TRACE(std::string("Expect: ") + value);
        std::string text = head({"POST /items HTTP/1.1",
                                 "Host: a",
                                 "Content-Length: 3",
                                 std::string("Expect:") + value});

        HeadScan scan = scanRequestHead(text, defaultLimits());

        EXPECT_EQ(scan.kind, Kind::Complete);
        EXPECT_TRUE(scan.expect_continue);
    }
}

TEST(RequestHead, KeepAliveFollowsVersionAndConnection) {
    struct Case {
        const char* name;
        std::vector<std::string> lines;
        bool keep_alive;
        bool http10;
    };

    const std::vector<Case> cases = {
        {"HTTP/1.1 default", {"GET / HTTP/1.1", "Host: a"}, true, false},
        {"HTTP/1.1 Connection: close",
         {"GET / HTTP/1.1", "Host: a", "Connection: close"},
         false,
         false},
        {"HTTP/1.1 Connection: Close",
         {"GET / HTTP/1.1", "Host: a", "Connection: Close"},
         false,
         false},
        {"HTTP/1.1 close in a list",
         {"GET / HTTP/1.1", "Host: a", "Connection: Upgrade, close"},
         false,
         false},
        {"HTTP/1.1 Connection: keep-alive",
         {"GET / HTTP/1.1", "Host: a", "Connection: keep-alive"},
         true,
         false},
        {"HTTP/1.0 default", {"GET / HTTP/1.0"}, false, true},
        {"HTTP/1.0 Connection: keep-alive",
         {"GET / HTTP/1.0", "Connection: keep-alive"},
         true,
         true},
        {"HTTP/1.0 Connection: Keep-Alive",
         {"GET / HTTP/1.0", "Connection: Keep-Alive"},
         true,
         true},
        {"HTTP/1.0 keep-alive and close",
         {"GET / HTTP/1.0", "Connection: keep-alive, close"},
         false,
         true},
        {"HTTP/1.0 with Host", {"GET / HTTP/1.0", "Host: a"}, false, true},
    };

    for (const auto& test_case : cases) {
        SCOPED_TRACE(test_case.name);

        HeadScan scan = scanRequestHead(head(test_case.lines), defaultLimits());

        ASSERT_EQ(scan.kind, Kind::Complete) << scan.reason;
        EXPECT_EQ(scan.keep_alive, test_case.keep_alive);
        EXPECT_EQ(scan.http10, test_case.http10);
    }
}

TEST(RequestHead, ParsesContentLength) {
    struct Case {
        const char* value;
        std::uint64_t expected;
    };

    const std::vector<Case> cases = {
        {"0", 0},
        {"5", 5},
        {" 42 ", 42},
        {"007", 7},
        {"999999999999999999", 999999999999999999ULL},
    };

    for (const auto& test_case : cases) {
        SCOPED_TRACE(std::string("Content-Length:") + test_case.value);
        std::string text =
            head({"POST / HTTP/1.1", "Host: a", std::string("content-length:") + test_case.value});

        HeadScan scan = scanRequestHead(text, defaultLimits());

        ASSERT_EQ(scan.kind, Kind::Complete) << scan.reason;
        EXPECT_TRUE(scan.has_content_length);
        EXPECT_EQ(scan.content_length, test_case.expected);
        EXPECT_FALSE(scan.chunked);
    }
}

TEST(RequestHead, ReportsChunkedBody) {
    for (const char* value : {"chunked", "Chunked", " CHUNKED "}) {
        SCOPED_TRACE(std::string("Transfer-Encoding:") + value);
        std::string text =
            head({"POST / HTTP/1.1", "Host: a", std::string("Transfer-Encoding:") + value});

        HeadScan scan = scanRequestHead(text, defaultLimits());

        ASSERT_EQ(scan.kind, Kind::Complete) << scan.reason;
        EXPECT_TRUE(scan.chunked);
        EXPECT_FALSE(scan.has_content_length);
    }
}

TEST(RequestHead, HeadAtLimitsIsComplete) {
    HeadLimits limits;
    limits.max_line_length = 40;
    limits.max_header_count = 3;
    std::string request_line = "GET /hello HTTP/1.1";
    std::string header = "X-Fill: " + std::string(32, 'a');
    std::string text = head({request_line, "Host: a", "X-B: b", header});
    limits.max_head_size = text.size();

    HeadScan scan = scanRequestHead(text, limits);

    ASSERT_EQ(header.size(), limits.max_line_length);
    EXPECT_EQ(scan.kind, Kind::Complete) << scan.reason;
    EXPECT_EQ(scan.head_size, text.size());
}

HeadLimits limitsOf(std::size_t head_size, std::size_t line_length, std::size_t header_count) {
    HeadLimits limits;
    limits.max_head_size = head_size;
    limits.max_line_length = line_length;
    limits.max_header_count = header_count;
    return limits;
}

TEST(RequestHead, OversizedHeadsGet431) {
    struct Case {
        const char* name;
        std::string text;
        HeadLimits limits;
    };

    const std::string at_limit =
        head({"GET / HTTP/1.1", "Host: a", "X-A: " + std::string(20, 'a')});
    const std::vector<Case> cases = {
        {"complete head over the size limit",
         head({"GET / HTTP/1.1", "Host: a", "X-A: " + std::string(40, 'a')}),
         limitsOf(64, 1000, 100)},
        {"complete head one byte over the size limit",
         at_limit,
         limitsOf(at_limit.size() - 1, 1000, 100)},
        {"incomplete head over the size limit",
         "GET / HTTP/1.1\r\nHost: a\r\nX-A: " + std::string(60, 'a') + "\r\n",
         limitsOf(64, 1000, 100)},
        {"request line over the line limit",
         head({"GET /" + std::string(40, 'p') + " HTTP/1.1", "Host: a"}),
         limitsOf(10000, 40, 100)},
        {"header line over the line limit",
         head({"GET / HTTP/1.1", "Host: a", "X-Long: " + std::string(33, 'a')}),
         limitsOf(10000, 40, 100)},
        {"incomplete line over the line limit",
         "GET / HTTP/1.1\r\nX-Long: " + std::string(40, 'a'),
         limitsOf(10000, 40, 100)},
        {"too many header fields",
         head({"GET / HTTP/1.1", "Host: a", "X-A: a", "X-B: b", "X-C: c"}),
         limitsOf(10000, 1000, 3)},
    };

    for (const auto& test_case : cases) {
        SCOPED_TRACE(test_case.name);

        HeadScan scan = scanRequestHead(test_case.text, test_case.limits);

        EXPECT_EQ(scan.kind, Kind::TooLarge);
        EXPECT_EQ(scan.status, 431);
        EXPECT_FALSE(scan.reason.empty());
    }
}

TEST(RequestHead, HeaderNameOver256BytesGets431) {
    std::string text = head({"GET / HTTP/1.1", "Host: a", std::string(257, 'N') + ": v"});

    HeadScan scan = scanRequestHead(text, defaultLimits());

    EXPECT_EQ(scan.kind, Kind::TooLarge);
    EXPECT_EQ(scan.status, 431);
}

TEST(RequestHead, DefaultLimitsMatchSettingDefaults) {
    HeadLimits limits;

    EXPECT_EQ(limits.max_head_size, 32u * 1024u);
    EXPECT_EQ(limits.max_line_length, 8u * 1024u);
    EXPECT_EQ(limits.max_header_count, 100u);
}

}  // namespace
}  // namespace valhalla::host::server::connection

namespace valhalla::host::server::connection {
namespace {

TEST(RequestHead, LineAtLimitSplitAfterCrIsIncomplete) {
    HeadLimits limits;
    limits.max_line_length = 20;
    std::string full = "GET / HTTP/1.1\r\nHost: aaaaaaaaaaaaaa\r\n\r\n";
    std::string prefix = full.substr(0, full.find("aa\r\n") + 3);

    auto partial = scanRequestHead(prefix, limits);
    auto complete = scanRequestHead(full, limits);

    EXPECT_EQ(partial.kind, HeadScan::Kind::Incomplete);
    EXPECT_EQ(complete.kind, HeadScan::Kind::Complete);
}

}  // namespace
}  // namespace valhalla::host::server::connection
