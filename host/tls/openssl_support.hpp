#pragma once

#include <string>

namespace valhalla::host::tls {

/// Removes every error that OpenSSL queued on the calling thread and returns their
/// reasons joined by ": ", or a fixed text when the queue was empty.
std::string takeOpenSslErrors();

/// OpenSSL pass-phrase callback (`pem_password_cb`) that supplies no pass phrase, so
/// loading an encrypted key fails instead of prompting on the terminal. When
/// `requested` is not null it points to a bool that is set to true.
int supplyNoPassphrase(char* buffer, int size, int writing, void* requested);

}  // namespace valhalla::host::tls
