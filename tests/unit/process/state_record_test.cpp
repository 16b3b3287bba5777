#include "process/state_record.hpp"

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

namespace valhalla::host::process {
namespace {

Poco::JSON::Object::Ptr parse(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

const char* kReport =
    R"([{"name":"hello","state":"loaded"},{"name":"bad","state":"failed","error":"boom"}])";

TEST(StateRecord, RendersGenerationsAndWorkers) {
    StateRecord record;
    record.addGeneration(1, "/var/gen-1", "starting");
    record.setServingGeneration(1);
    record.setGenerationState(1, "serving");
    record.setWorker(41, 1, 0, "ready");

    auto root = parse(record.render(1 << 20));

    EXPECT_EQ(root->getValue<int>("serving_generation"), 1);
    auto generation = root->getArray("generations")->getObject(0);
    EXPECT_EQ(generation->getValue<std::string>("state"), "serving");
    EXPECT_EQ(generation->getValue<std::string>("folder"), "/var/gen-1");
    auto worker = root->getArray("workers")->getObject(0);
    EXPECT_EQ(worker->getValue<int>("pid"), 41);
    EXPECT_EQ(worker->getValue<std::string>("state"), "ready");
}

TEST(StateRecord, FirstReportCountsFailures) {
    StateRecord record;
    record.addGeneration(2, "/var/gen-2", "candidate");

    EXPECT_EQ(record.setPluginReport(2, kReport), 1);
    EXPECT_EQ(record.setPluginReport(2, kReport), -1);
    EXPECT_EQ(record.setPluginReport(3, kReport), -1);
    EXPECT_EQ(record.setPluginReport(2, "not json"), -1);
}

TEST(StateRecord, FailureKeepsGenerationReport) {
    StateRecord record;
    record.addGeneration(2, "/var/gen-2", "candidate");
    record.setPluginReport(2, kReport);
    record.addReloadFailure(2, "plugin file bad.so failed to load: boom");
    record.removeGeneration(2);

    auto root = parse(record.render(1 << 20));

    auto failure = root->getArray("reload_failures")->getObject(0);
    EXPECT_EQ(failure->getValue<std::string>("reason"), "plugin file bad.so failed to load: boom");
    EXPECT_EQ(failure->getArray("plugins")->getObject(1)->getValue<std::string>("error"), "boom");
    EXPECT_EQ(root->getArray("generations")->size(), 0u);
}

TEST(StateRecord, KeepsOnlyNewestFailures) {
    StateRecord record;
    for (int i = 0; i < 20; ++i) {
        record.addReloadFailure(i, "failure " + std::to_string(i));
    }

    auto failures = parse(record.render(1 << 20))->getArray("reload_failures");

    ASSERT_EQ(failures->size(), StateRecord::kMaxFailures);
    EXPECT_EQ(failures->getObject(StateRecord::kMaxFailures - 1)->getValue<std::string>("reason"),
              "failure 19");
}

TEST(StateRecord, RenderFitsCapacity) {
    StateRecord record;
    for (int i = 0; i < 4; ++i) {
        record.addGeneration(i, "/var/gen", "candidate");
        record.setPluginReport(i, kReport);
        record.addReloadFailure(i, std::string(200, 'r'));
    }
    std::size_t full = record.render(1 << 20).size();

    std::string trimmed = record.render(full - 1);
    std::string minimal = record.render(400);

    EXPECT_LT(trimmed.size(), full);
    auto failures = parse(trimmed)->getArray("reload_failures");
    EXPECT_EQ(failures->size(), 4u);
    EXPECT_FALSE(failures->getObject(0)->has("plugins"));
    EXPECT_TRUE(failures->getObject(3)->has("plugins"));
    EXPECT_LE(minimal.size(), 400u);
    EXPECT_NO_THROW(parse(minimal));
}

}  // namespace
}  // namespace valhalla::host::process
