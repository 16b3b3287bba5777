#include "server/connection/listen_socket.hpp"

#include <cerrno>
#include <cstring>

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <fcntl.h>
#include <sys/socket.h>

namespace valhalla::host::server::connection {

int openListenSocket(const std::string& host, int port) {
    Poco::Net::ServerSocket socket;
    // SO_REUSEADDR without SO_REUSEPORT: Poco's two-argument bind sets both, which
    // would let a second server silently share the port and take part of the traffic.
    socket.bind(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), true, false);
    socket.listen(SOMAXCONN);
    // The descriptor outlives the Poco object, which closes its own copy.
    int fd = ::fcntl(socket.impl()->sockfd(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        throw Poco::SystemException("cannot duplicate the listening socket", std::strerror(errno));
    }
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    return fd;
}

int localPort(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return 0;
    }
    return Poco::Net::SocketAddress(reinterpret_cast<sockaddr*>(&address), length).port();
}

}  // namespace valhalla::host::server::connection
