#include "server/connection/tls_context.hpp"

#include <csignal>

#include <Poco/Exception.h>

#include "tls/certificate_check.hpp"
#include "tls/openssl_support.hpp"
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace valhalla::host::server::connection {

namespace {

// TLS 1.2 suites with forward secrecy and an AEAD cipher, ECDSA before RSA
// certificates. TLS 1.3 suites are configured separately and keep OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Poco::Net::Context::Ptr createBareContext() {
    // The files are loaded below, after the pass-phrase callback is installed, so the
    // parameters name none.
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    params.loadDefaultCAs = false;
    params.cipherList = kTls12Ciphers;
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    context->preferServerCiphers();

    SSL_CTX* ssl_context = context->sslContext();
    // Renegotiation lets a client make the server repeat handshakes on one connection,
    // and HTTP/1.1 does not need it. An end of stream without close_notify counts as a
    // normal end of stream.
    SSL_CTX_set_options(ssl_context, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Idle keep-alive connections give their 16 KiB+ buffers back to the allocator.
    SSL_CTX_set_mode(ssl_context, SSL_MODE_RELEASE_BUFFERS);
    // Without read-ahead OpenSSL never keeps undecrypted records, so
    // TlsStream::pending() covers every byte the socket will not report again.
    SSL_CTX_set_read_ahead(ssl_context, 0);
    SSL_CTX_set_default_passwd_cb(ssl_context, tls::supplyNoPassphrase);
    return context;
}

void loadFiles(SSL_CTX* ssl_context, const config::Settings& settings) {
    ERR_clear_error();
    bool loaded =
        SSL_CTX_use_certificate_chain_file(ssl_context, settings.tls_certificate.c_str()) == 1 &&
        SSL_CTX_use_PrivateKey_file(ssl_context, settings.tls_key.c_str(), SSL_FILETYPE_PEM) == 1 &&
        SSL_CTX_check_private_key(ssl_context) == 1;
    if (!loaded) {
        // The supervisor checked the files, so they changed since.
        throw tls::CertificateError("the HTTPS certificate " + settings.tls_certificate +
                                    " or key " + settings.tls_key + " cannot be loaded (" +
                                    tls::takeOpenSslErrors() +
                                    "); replace the files and reload with SIGHUP");
    }
}

}  // namespace

Poco::Net::Context::Ptr createTlsContext(const config::Settings& settings) {
    tls::checkCertificateFiles(settings);
    Poco::Net::Context::Ptr context;
    try {
        context = createBareContext();
    } catch (const Poco::Exception& error) {
        throw tls::CertificateError("cannot create the TLS context: " + error.displayText());
    }
    loadFiles(context->sslContext(), settings);
    // NOTE: process-wide. A write to a connection that the peer reset raises SIGPIPE
    // unless the writer passes MSG_NOSIGNAL, and OpenSSL's socket BIO does not.
    std::signal(SIGPIPE, SIG_IGN);
    return context;
}

}  // namespace valhalla::host::server::connection
