#include "server/client_address.hpp"

#include <algorithm>
#include <optional>

#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>

namespace valhalla::host::server {

namespace {

std::optional<std::string> canonicalAddress(const std::string& text) {
    Poco::Net::IPAddress address;
    if (!Poco::Net::IPAddress::tryParse(Poco::trim(text), address)) {
        return std::nullopt;
    }
    return address.toString();
}

}  // namespace

TrustedProxies::TrustedProxies(const std::vector<std::string>& addresses) {
    for (const auto& text : addresses) {
        if (auto address = canonicalAddress(text)) {
            addresses_.push_back(*address);
        }
    }
}

bool TrustedProxies::contains(const std::string& address) const {
    return std::find(addresses_.begin(), addresses_.end(), address) != addresses_.end();
}

std::string TrustedProxies::clientAddress(const std::string& peer,
                                          const std::string& forwarded_for) const {
    std::string client = peer;
    if (forwarded_for.empty() || !contains(peer)) {
        return client;
    }
    std::size_t end = forwarded_for.size();
    while (contains(client) && end > 0) {
        std::size_t comma = forwarded_for.rfind(',', end - 1);
        std::size_t start = comma == std::string::npos ? 0 : comma + 1;
        auto address = canonicalAddress(forwarded_for.substr(start, end - start));
        if (!address) {
            break;
        }
        client = *address;
        end = comma == std::string::npos ? 0 : comma;
    }
    return client;
}

}  // namespace valhalla::host::server
