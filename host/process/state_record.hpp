#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sys/types.h>

namespace valhalla::host::process {

/// The supervisor's record of generations, their plugin load results, reload
/// failures and worker states, rendered as the JSON document that every worker reads
/// from the shared region to serve the admin API and /readyz.
class StateRecord {
public:
    /// Reload failures kept, newest last.
    static constexpr std::size_t kMaxFailures = 8;

    void addGeneration(int generation, const std::string& folder, const std::string& state);
    void setGenerationState(int generation, const std::string& state);
    void removeGeneration(int generation);
    /// Stores the load results a worker of `generation` reported, a JSON array, unless
    /// another worker's report came first. Returns the number of plugins that failed
    /// to load, or -1 when the report was ignored or is not a JSON array.
    int setPluginReport(int generation, const std::string& report);

    void setServingGeneration(int generation) { serving_generation_ = generation; }

    void setStopping() { stopping_ = true; }

    /// Records a failed or rejected reload with the plugin report of its generation,
    /// when one arrived.
    void addReloadFailure(int generation, const std::string& reason);

    void setWorker(pid_t pid, int generation, int slot, const std::string& state);
    void removeWorker(pid_t pid);

    /// Renders the record, leaving out the oldest failures' plugin reports and then
    /// the oldest failures while the text is longer than `capacity` bytes.
    std::string render(std::size_t capacity) const;

private:
    struct GenerationEntry {
        std::string folder;
        std::string state;
        std::string created;
        Poco::JSON::Array::Ptr plugins;
    };

    struct WorkerEntry {
        int generation = 0;
        int slot = 0;
        std::string state;
        std::string since;
    };

    struct Failure {
        std::string time;
        int generation = 0;
        std::string reason;
        Poco::JSON::Array::Ptr plugins;
    };

    std::string renderWith(std::size_t failures_with_reports, std::size_t failures_kept) const;

    int serving_generation_ = 0;
    bool stopping_ = false;
    std::map<int, GenerationEntry> generations_;
    std::map<pid_t, WorkerEntry> workers_;
    std::deque<Failure> failures_;
};

}  // namespace valhalla::host::process
