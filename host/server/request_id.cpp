#include "server/request_id.hpp"

#include <algorithm>
#include <cctype>
#include <random>

namespace valhalla::host::server {

namespace {

constexpr std::size_t kMaxRequestIdLength = 128;

}  // namespace

bool isWellFormedRequestId(std::string_view id) {
    if (id.empty() || id.size() > kMaxRequestIdLength) {
        return false;
    }
    return std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
               c == ':' || c == '@';
    });
}

std::string newRequestId() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t value = generator();
    std::string id(16, '0');
    for (char& digit : id) {
        digit = kHex[value & 0xF];
        value >>= 4;
    }
    return id;
}

}  // namespace valhalla::host::server
