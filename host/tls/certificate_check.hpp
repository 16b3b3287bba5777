#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "config/settings.hpp"

namespace valhalla::host::tls {

/// A certificate or private key file that HTTPS cannot use. The message names the
/// setting, the file, the reason and what to do.
class CertificateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Facts about a certificate that passed checkCertificateFiles, for the log.
struct CertificateSummary {
    std::string subject;
    /// Serial number in hexadecimal.
    std::string serial;
    /// End of the validity period, such as `Jan  1 00:00:00 2030 GMT`.
    std::string not_after;
    /// Whether the current time is outside the validity period.
    bool outside_validity = false;
};

/// Checks the files of `server.tls.certificate` and `server.tls.key` with plain OpenSSL
/// calls, the way the worker loads them: each must be a readable regular file, the
/// certificate file must start with a PEM certificate, the key file must hold an
/// unencrypted PEM private key, and the key must match the certificate. Returns
/// std::nullopt when neither setting is set (plain HTTP).
///
/// Never prompts for a pass phrase, starts no thread and creates no Poco object, so
/// the supervisor can call it before it forks workers. Throws CertificateError.
std::optional<CertificateSummary> checkCertificateFiles(const config::Settings& settings);

}  // namespace valhalla::host::tls
