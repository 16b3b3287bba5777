#pragma once

#include <Poco/Net/Context.h>

#include "config/settings.hpp"

namespace valhalla::host::server::connection {

/// Creates the TLS server context of a worker from `server.tls.certificate` and
/// `server.tls.key`: TLS 1.2 or newer, ECDHE with AES-GCM or ChaCha20-Poly1305 for
/// TLS 1.2 and OpenSSL's default suites for TLS 1.3, the server's cipher order, no
/// renegotiation and no client certificates. Checks the files first with
/// tls::checkCertificateFiles and never prompts for a pass phrase. Also makes the
/// process ignore SIGPIPE, because OpenSSL writes to sockets without MSG_NOSIGNAL.
///
/// Call it only in a worker after exec: a Poco SSL context created before a fork
/// makes the children hang. Throws tls::CertificateError when the files cannot be used.
Poco::Net::Context::Ptr createTlsContext(const config::Settings& settings);

}  // namespace valhalla::host::server::connection
