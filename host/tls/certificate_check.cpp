#include "tls/certificate_check.hpp"

#include <cerrno>
#include <cstring>
#include <memory>

#include "config/setting_table.hpp"
#include "tls/openssl_support.hpp"
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

namespace valhalla::host::tls {

namespace {

// A certificate chain or key file is a few kilobytes, so anything far larger is the
// wrong file.
constexpr off_t kMaxFileSize = 1024 * 1024;

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};

struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

struct ContextFree {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};

using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using ContextPtr = std::unique_ptr<SSL_CTX, ContextFree>;

/// One of the two files and the setting that names it, for messages.
struct NamedFile {
    std::string setting;
    std::string path;

    std::string describe() const { return setting + " file " + path; }
};

NamedFile namedFile(std::string_view key, const std::string& path) {
    return {config::describeSettingName(*config::findSetting(key)), path};
}

// Reads the whole file. Only regular files are opened, so a FIFO or a terminal
// device can never block the start-up.
std::string readSmallFile(const NamedFile& file) {
    struct stat status = {};
    if (::stat(file.path.c_str(), &status) != 0) {
        std::string problem = errno == ENOENT
                                  ? " does not exist"
                                  : std::string(" cannot be opened: ") + std::strerror(errno);
        throw CertificateError(file.describe() + problem + "; set " + file.setting +
                               " to an existing PEM file");
    }

    if (!S_ISREG(status.st_mode)) {
        throw CertificateError(file.describe() + " is not a regular file; set " + file.setting +
                               " to a PEM file, not a folder or device");
    }
    if (status.st_size > kMaxFileSize) {
        throw CertificateError(file.describe() + " is larger than 1 MiB; set " + file.setting +
                               " to the PEM file itself");
    }

    int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        throw CertificateError(file.describe() + " cannot be read: " + std::strerror(errno) +
                               "; let the user that runs valhalla read it (chmod or chown)");
    }
    std::string content(static_cast<std::size_t>(status.st_size), '\0');
    ssize_t count = ::read(fd, content.data(), content.size());
    int read_errno = errno;
    ::close(fd);
    if (count < 0) {
        throw CertificateError(file.describe() + " cannot be read: " + std::strerror(read_errno) +
                               "; let the user that runs valhalla read it (chmod or chown)");
    }
    content.resize(static_cast<std::size_t>(count));
    return content;
}

BioPtr memoryBio(const std::string& content) {
    return BioPtr(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
}

X509Ptr parseCertificate(const NamedFile& file) {
    std::string content = readSmallFile(file);
    BioPtr bio = memoryBio(content);
    X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, supplyNoPassphrase, nullptr));
    ERR_clear_error();
    if (!certificate) {
        throw CertificateError(file.describe() +
                               " contains no PEM certificate (no valid -----BEGIN CERTIFICATE----- "
                               "block); set " +
                               file.setting + " to the certificate in PEM format, not the key");
    }
    return certificate;
}

KeyPtr parseKey(const NamedFile& file) {
    std::string content = readSmallFile(file);
    BioPtr bio = memoryBio(content);
    bool passphrase_requested = false;
    KeyPtr key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, supplyNoPassphrase, &passphrase_requested));
    ERR_clear_error();
    if (passphrase_requested) {
        throw CertificateError(file.describe() +
                               " contains a private key encrypted with a pass phrase, which "
                               "valhalla never asks for; write an unencrypted copy with "
                               "`openssl pkey -in " +
                               file.path + " -out NEW_FILE`, readable only by the server's user");
    }
    if (!key) {
        throw CertificateError(
            file.describe() +
            " contains no PEM private key (no valid -----BEGIN ... PRIVATE KEY----- "
            "block); set " +
            file.setting + " to the private key in PEM format");
    }
    return key;
}

void checkKeyMatches(X509* certificate,
                     EVP_PKEY* key,
                     const NamedFile& certificate_file,
                     const NamedFile& key_file) {
    if (X509_check_private_key(certificate, key) == 1) {
        return;
    }
    std::string reason = takeOpenSslErrors();
    throw CertificateError(key_file.describe() + " does not match the certificate in " +
                           certificate_file.describe() + " (" + reason +
                           "); use the key that the certificate was issued for");
}

// Loads both files into an SSL_CTX the way the worker does, so a certificate that
// OpenSSL's security level rejects, such as one with a small key, fails here too.
void checkServerContext(const NamedFile& certificate_file, const NamedFile& key_file) {
    ContextPtr context(SSL_CTX_new(TLS_server_method()));
    if (!context) {
        throw CertificateError("OpenSSL cannot create a TLS context: " + takeOpenSslErrors());
    }
    SSL_CTX_set_default_passwd_cb(context.get(), supplyNoPassphrase);
    SSL_CTX_set_default_passwd_cb_userdata(context.get(), nullptr);
    if (SSL_CTX_use_certificate_chain_file(context.get(), certificate_file.path.c_str()) != 1) {
        throw CertificateError(certificate_file.describe() +
                               " cannot be used as the server certificate (" + takeOpenSslErrors() +
                               "); replace the certificate");
    }
    if (SSL_CTX_use_PrivateKey_file(context.get(), key_file.path.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(context.get()) != 1) {
        throw CertificateError(key_file.describe() + " cannot be used with the certificate in " +
                               certificate_file.describe() + " (" + takeOpenSslErrors() +
                               "); use the key that the certificate was issued for");
    }
}

std::string bioText(BIO* bio) {
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

CertificateSummary summarize(X509* certificate) {
    CertificateSummary summary;
    BioPtr subject(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(subject.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
    summary.subject = bioText(subject.get());

    BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
    if (serial != nullptr) {
        char* hex = BN_bn2hex(serial);
        summary.serial = hex != nullptr ? hex : "";
        OPENSSL_free(hex);
        BN_free(serial);
    }

    BioPtr not_after(BIO_new(BIO_s_mem()));
    ASN1_TIME_print(not_after.get(), X509_get0_notAfter(certificate));
    summary.not_after = bioText(not_after.get());
    summary.outside_validity = X509_cmp_current_time(X509_get0_notBefore(certificate)) > 0 ||
                               X509_cmp_current_time(X509_get0_notAfter(certificate)) < 0;
    ERR_clear_error();
    return summary;
}

}  // namespace

std::optional<CertificateSummary> checkCertificateFiles(const config::Settings& settings) {
    if (settings.tls_certificate.empty() && settings.tls_key.empty()) {
        return std::nullopt;
    }
    NamedFile certificate_file = namedFile("server.tls.certificate", settings.tls_certificate);
    NamedFile key_file = namedFile("server.tls.key", settings.tls_key);
    ERR_clear_error();

    X509Ptr certificate = parseCertificate(certificate_file);
    KeyPtr key = parseKey(key_file);
    checkKeyMatches(certificate.get(), key.get(), certificate_file, key_file);
    checkServerContext(certificate_file, key_file);
    return summarize(certificate.get());
}

}  // namespace valhalla::host::tls
