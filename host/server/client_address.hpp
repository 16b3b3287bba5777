#pragma once

#include <string>
#include <vector>

namespace valhalla::host::server {

/// The trusted proxies of `server.trusted_proxies`, in canonical address form.
class TrustedProxies {
public:
    explicit TrustedProxies(const std::vector<std::string>& addresses);

    bool empty() const { return addresses_.empty(); }

    bool contains(const std::string& address) const;

    /// Returns the client's address: `peer` itself unless it is a trusted proxy. Then
    /// the X-Forwarded-For list is read from its end, past every trusted proxy, to the
    /// first address that is not one. An entry that is no IP address ends the walk,
    /// and the last address accepted is the result, because a client can write
    /// anything at the start of the list.
    std::string clientAddress(const std::string& peer, const std::string& forwarded_for) const;

private:
    std::vector<std::string> addresses_;
};

}  // namespace valhalla::host::server
