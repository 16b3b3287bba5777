#include "server/http_listener.hpp"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

namespace valhalla::host::server {

namespace {

Poco::Timespan toTimespan(std::chrono::milliseconds duration) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(duration.count()) * 1000);
}

}  // namespace

HttpListener::HttpListener(const config::Settings& settings,
                           Poco::Net::HTTPRequestHandlerFactory::Ptr factory)
    : threads_(std::make_unique<Poco::ThreadPool>("request", 2, settings.threads + 1, 60, 0)) {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(settings.host, static_cast<Poco::UInt16>(settings.port)),
                true);
    socket.listen(1024);

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(settings.threads);
    params->setMaxQueued(settings.queue_limit);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(toTimespan(settings.keepalive_timeout));
    params->setTimeout(toTimespan(settings.head_timeout));
    params->setThreadIdleTime(Poco::Timespan(60, 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(factory, *threads_, socket, params);
}

HttpListener::~HttpListener() {
    stop();
}

void HttpListener::start() {
    server_->start();
    running_ = true;
}

void HttpListener::stop() {
    if (running_) {
        server_->stopAll(true);
        running_ = false;
    }
}

int HttpListener::port() const {
    return server_->port();
}

}  // namespace valhalla::host::server
