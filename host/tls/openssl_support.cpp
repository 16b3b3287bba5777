#include "tls/openssl_support.hpp"

#include <openssl/err.h>

namespace valhalla::host::tls {

std::string takeOpenSslErrors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        const char* reason = ERR_reason_error_string(code);
        if (!text.empty()) {
            text += ": ";
        }
        text += reason != nullptr ? reason : "error " + std::to_string(code);
    }
    return text.empty() ? "no reason given by OpenSSL" : text;
}

int supplyNoPassphrase(char*, int, int, void* requested) {
    if (requested != nullptr) {
        *static_cast<bool*>(requested) = true;
    }
    return 0;
}

}  // namespace valhalla::host::tls
