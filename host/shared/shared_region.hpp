#pragma once

#include <string>
#include <string_view>

#include "shared/region_layout.hpp"

namespace valhalla::host::shared {

/// The shared-memory region between the supervisor and its workers: an anonymous
/// memory file (memfd) that the supervisor creates before the first worker and every
/// worker maps from an inherited descriptor.
///
/// Workers add to counters in it, so metrics sum over all workers and outlive any one
/// of them; the supervisor publishes its record there, so every worker can report on
/// the whole server.
class SharedRegion {
public:
    /// Creates and initializes a region. Throws std::runtime_error when the memory
    /// file cannot be created or mapped.
    static SharedRegion create();

    /// Maps the region behind an inherited descriptor and takes ownership of it.
    /// Throws std::runtime_error when `fd` is not a region of this layout.
    static SharedRegion attach(int fd);

    SharedRegion(SharedRegion&& other) noexcept;
    SharedRegion& operator=(SharedRegion&& other) noexcept;
    SharedRegion(const SharedRegion&) = delete;
    SharedRegion& operator=(const SharedRegion&) = delete;
    ~SharedRegion();

    /// The memory file's descriptor, for passing to a worker.
    int fd() const { return fd_; }

    RegionLayout& layout() { return *layout_; }

    const RegionLayout& layout() const { return *layout_; }

    /// Replaces the supervisor's record. Throws std::length_error when `text` does not
    /// fit in kRecordCapacity bytes.
    void publishRecord(std::string_view text);

    /// Copies the supervisor's record; empty before the first publish.
    std::string readRecord() const;

    /// Returns the counters of (plugin, route), claiming a free route slot the first
    /// time the pair is seen, or the overflow entry when all are taken. Both names are
    /// cut to the slot's field size.
    RouteSlot& routeSlot(std::string_view plugin, std::string_view route);

private:
    SharedRegion(int fd, RegionLayout* layout) : fd_(fd), layout_(layout) {}

    void release();

    int fd_ = -1;
    RegionLayout* layout_ = nullptr;
};

/// Locks a process-shared robust mutex for its lifetime. When the previous owner died
/// holding it, marks it consistent again: every structure it guards is rewritten
/// whole, so there is nothing half-written to repair.
class RobustLock {
public:
    explicit RobustLock(pthread_mutex_t& mutex);
    ~RobustLock();
    RobustLock(const RobustLock&) = delete;
    RobustLock& operator=(const RobustLock&) = delete;

private:
    pthread_mutex_t& mutex_;
};

}  // namespace valhalla::host::shared
