#include "process/state_record.hpp"

#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include "process/timestamps.hpp"

namespace valhalla::host::process {

namespace {

std::string now() {
    return iso8601(std::chrono::system_clock::now());
}

Poco::JSON::Object::Ptr orderedObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

}  // namespace

void StateRecord::addGeneration(int generation,
                                const std::string& folder,
                                const std::string& state) {
    generations_[generation] = GenerationEntry{folder, state, now(), nullptr};
}

void StateRecord::setGenerationState(int generation, const std::string& state) {
    auto found = generations_.find(generation);
    if (found != generations_.end()) {
        found->second.state = state;
    }
}

void StateRecord::removeGeneration(int generation) {
    generations_.erase(generation);
}

int StateRecord::setPluginReport(int generation, const std::string& report) {
    auto found = generations_.find(generation);
    if (found == generations_.end() || found->second.plugins) {
        return -1;
    }
    Poco::JSON::Array::Ptr plugins;
    try {
        plugins = Poco::JSON::Parser().parse(report).extract<Poco::JSON::Array::Ptr>();
    } catch (const Poco::Exception&) {
        return -1;
    }
    found->second.plugins = plugins;
    int failed = 0;
    for (std::size_t i = 0; i < plugins->size(); ++i) {
        auto entry = plugins->getObject(static_cast<unsigned>(i));
        failed += entry && entry->optValue<std::string>("state", "") == "failed" ? 1 : 0;
    }
    return failed;
}

void StateRecord::addReloadFailure(int generation, const std::string& reason) {
    Failure failure{now(), generation, reason, nullptr};
    auto found = generations_.find(generation);
    if (found != generations_.end()) {
        failure.plugins = found->second.plugins;
    }
    failures_.push_back(std::move(failure));
    while (failures_.size() > kMaxFailures) {
        failures_.pop_front();
    }
}

void StateRecord::setWorker(pid_t pid, int generation, int slot, const std::string& state) {
    workers_[pid] = WorkerEntry{generation, slot, state, now()};
}

void StateRecord::removeWorker(pid_t pid) {
    workers_.erase(pid);
}

std::string StateRecord::render(std::size_t capacity) const {
    std::size_t count = failures_.size();
    for (std::size_t with_reports = count + 1; with_reports-- > 0;) {
        std::string text = renderWith(with_reports, count);
        if (text.size() <= capacity) {
            return text;
        }
    }
    for (std::size_t kept = count; kept-- > 0;) {
        std::string text = renderWith(0, kept);
        if (text.size() <= capacity) {
            return text;
        }
    }
    return "{}";
}

std::string StateRecord::renderWith(std::size_t failures_with_reports,
                                    std::size_t failures_kept) const {
    auto root = orderedObject();
    root->set("serving_generation", serving_generation_);
    root->set("stopping", stopping_);

    Poco::JSON::Array::Ptr generations = new Poco::JSON::Array;
    for (const auto& [id, entry] : generations_) {
        auto item = orderedObject();
        item->set("generation", id);
        item->set("state", entry.state);
        item->set("created", entry.created);
        item->set("folder", entry.folder);
        if (entry.plugins) {
            item->set("plugins", entry.plugins);
        }
        generations->add(item);
    }
    root->set("generations", generations);

    Poco::JSON::Array::Ptr workers = new Poco::JSON::Array;
    for (const auto& [pid, entry] : workers_) {
        auto item = orderedObject();
        item->set("pid", static_cast<int>(pid));
        item->set("generation", entry.generation);
        item->set("slot", entry.slot);
        item->set("state", entry.state);
        item->set("since", entry.since);
        workers->add(item);
    }
    root->set("workers", workers);

    // The newest failures come last and keep their reports longest.
    Poco::JSON::Array::Ptr failures = new Poco::JSON::Array;
    std::size_t first = failures_.size() - failures_kept;
    for (std::size_t i = first; i < failures_.size(); ++i) {
        const auto& failure = failures_[i];
        auto item = orderedObject();
        item->set("time", failure.time);
        item->set("generation", failure.generation);
        item->set("reason", failure.reason);
        if (failure.plugins && failures_.size() - i <= failures_with_reports) {
            item->set("plugins", failure.plugins);
        }
        failures->add(item);
    }
    root->set("reload_failures", failures);

    std::ostringstream text;
    root->stringify(text);
    return text.str();
}

}  // namespace valhalla::host::process
