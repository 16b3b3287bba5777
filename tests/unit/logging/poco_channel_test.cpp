#include "logging/poco_channel.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <Poco/Logger.h>
#include <gtest/gtest.h>

#include "logging/logging.hpp"
#include <unistd.h>

namespace valhalla::host::logging {
namespace {

TEST(PocoChannel, PocoMessagesReachLogFile) {
    auto path = std::filesystem::temp_directory_path() /
                ("valhalla-poco-channel-" + std::to_string(::getpid()) + ".log");
    configure("info", "text", path.string());

    Poco::Logger::get("Valhalla.Test").warning("message from a Poco logger");
    Poco::Logger::get("Valhalla.Test").debug("debug message below the level");

    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(path);
    configure("info", "text");
    EXPECT_NE(text.find(" warning [poco] pid="), std::string::npos) << text;
    EXPECT_NE(text.find("message from a Poco logger source=Valhalla.Test"), std::string::npos)
        << text;
    EXPECT_EQ(text.find("debug message below the level"), std::string::npos) << text;
}

}  // namespace
}  // namespace valhalla::host::logging
