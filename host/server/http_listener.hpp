#pragma once

#include <memory>

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include "config/settings.hpp"

namespace valhalla::host::server {

/// The HTTP listener of one worker: binds `server.host:server.port` and serves every
/// request through the given handler factory with `server.threads` request threads.
///
/// NOTE: built on Poco's stock HTTPServer, which ties a thread to each keep-alive
/// connection and has no deadline for a whole request head. A poll-based connection
/// layer can replace it behind the same handler factory.
class HttpListener {
public:
    HttpListener(const config::Settings& settings,
                 Poco::Net::HTTPRequestHandlerFactory::Ptr factory);
    ~HttpListener();

    /// Starts accepting connections.
    void start();

    /// Stops accepting, waits for running requests, and closes connections.
    void stop();

    /// The port actually bound.
    int port() const;

private:
    std::unique_ptr<Poco::ThreadPool> threads_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    bool running_ = false;
};

}  // namespace valhalla::host::server
