#include "shared/shared_region.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace valhalla::host::shared {

namespace {

std::runtime_error systemError(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

void initRobustMutex(pthread_mutex_t& mutex) {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&mutex, &attributes);
    pthread_mutexattr_destroy(&attributes);
}

void copyName(char* target, std::size_t capacity, std::string_view name) {
    std::size_t length = std::min(name.size(), capacity - 1);
    std::memcpy(target, name.data(), length);
    target[length] = '\0';
}

bool slotMatches(const RouteSlot& slot, std::string_view plugin, std::string_view route) {
    std::size_t plugin_length = std::min(plugin.size(), sizeof(slot.plugin) - 1);
    std::size_t route_length = std::min(route.size(), sizeof(slot.route) - 1);
    return std::string_view(slot.plugin) == plugin.substr(0, plugin_length) &&
           std::string_view(slot.route) == route.substr(0, route_length);
}

RouteSlot* findRoute(RegionLayout& layout, std::string_view plugin, std::string_view route) {
    for (auto& slot : layout.routes) {
        auto state = static_cast<RouteSlotState>(slot.state.load(std::memory_order_acquire));
        if (state == RouteSlotState::free) {
            return nullptr;  // Slots are claimed in order, so no later one is taken.
        }
        if (slotMatches(slot, plugin, route)) {
            return &slot;
        }
    }
    return nullptr;
}

}  // namespace

SharedRegion SharedRegion::create() {
    int fd = ::memfd_create("valhalla-shared", MFD_CLOEXEC);
    if (fd < 0) {
        throw systemError("cannot create the shared-memory region (memfd_create)");
    }
    if (::ftruncate(fd, sizeof(RegionLayout)) != 0) {
        int error = errno;
        ::close(fd);
        errno = error;
        throw systemError("cannot size the shared-memory region to " +
                          std::to_string(sizeof(RegionLayout)) + " bytes");
    }
    void* memory = ::mmap(nullptr, sizeof(RegionLayout), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (memory == MAP_FAILED) {
        int error = errno;
        ::close(fd);
        errno = error;
        throw systemError("cannot map the shared-memory region");
    }
    // ftruncate zero-fills the file, which is the initial value of every atomic in the
    // layout; only the header and the mutexes need more.
    auto* layout = static_cast<RegionLayout*>(memory);
    layout->magic = kRegionMagic;
    layout->layout_version = kLayoutVersion;
    layout->size = sizeof(RegionLayout);
    layout->started_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
    initRobustMutex(layout->route_mutex);
    initRobustMutex(layout->record.mutex);
    copyName(layout->route_overflow.plugin, sizeof(layout->route_overflow.plugin), "-");
    copyName(layout->route_overflow.route, sizeof(layout->route_overflow.route), "(overflow)");
    return SharedRegion(fd, layout);
}

SharedRegion SharedRegion::attach(int fd) {
    struct stat status {};

    if (::fstat(fd, &status) != 0) {
        throw systemError("shared-memory descriptor " + std::to_string(fd) + " is not open");
    }
    if (static_cast<std::uint64_t>(status.st_size) != sizeof(RegionLayout)) {
        throw std::runtime_error("shared-memory descriptor " + std::to_string(fd) + " has " +
                                 std::to_string(status.st_size) + " bytes, expected " +
                                 std::to_string(sizeof(RegionLayout)) +
                                 "; a worker must be started by its own supervisor");
    }
    void* memory = ::mmap(nullptr, sizeof(RegionLayout), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (memory == MAP_FAILED) {
        throw systemError("cannot map the shared-memory region");
    }
    auto* layout = static_cast<RegionLayout*>(memory);
    if (layout->magic != kRegionMagic || layout->layout_version != kLayoutVersion) {
        ::munmap(memory, sizeof(RegionLayout));
        throw std::runtime_error("shared-memory descriptor " + std::to_string(fd) +
                                 " holds no valhalla region of layout version " +
                                 std::to_string(kLayoutVersion));
    }
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    return SharedRegion(fd, layout);
}

SharedRegion::SharedRegion(SharedRegion&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), layout_(std::exchange(other.layout_, nullptr)) {}

SharedRegion& SharedRegion::operator=(SharedRegion&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
        layout_ = std::exchange(other.layout_, nullptr);
    }
    return *this;
}

SharedRegion::~SharedRegion() {
    release();
}

void SharedRegion::release() {
    if (layout_ != nullptr) {
        ::munmap(layout_, sizeof(RegionLayout));
        layout_ = nullptr;
    }
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void SharedRegion::publishRecord(std::string_view text) {
    if (text.size() > kRecordCapacity) {
        throw std::length_error("supervisor record of " + std::to_string(text.size()) +
                                " bytes exceeds the shared region's " +
                                std::to_string(kRecordCapacity));
    }
    RobustLock lock(layout_->record.mutex);
    std::memcpy(layout_->record.text, text.data(), text.size());
    layout_->record.length = static_cast<std::uint32_t>(text.size());
    ++layout_->record.version;
}

std::string SharedRegion::readRecord() const {
    RobustLock lock(layout_->record.mutex);
    return std::string(layout_->record.text, layout_->record.length);
}

RouteSlot& SharedRegion::routeSlot(std::string_view plugin, std::string_view route) {
    if (RouteSlot* found = findRoute(*layout_, plugin, route)) {
        return *found;
    }
    RobustLock lock(layout_->route_mutex);
    if (RouteSlot* found = findRoute(*layout_, plugin, route)) {
        return *found;  // Another worker claimed it first.
    }
    for (auto& slot : layout_->routes) {
        if (slot.state.load(std::memory_order_relaxed) ==
            static_cast<std::uint32_t>(RouteSlotState::free)) {
            copyName(slot.plugin, sizeof(slot.plugin), plugin);
            copyName(slot.route, sizeof(slot.route), route);
            slot.state.store(static_cast<std::uint32_t>(RouteSlotState::ready),
                             std::memory_order_release);
            return slot;
        }
    }
    return layout_->route_overflow;
}

RobustLock::RobustLock(pthread_mutex_t& mutex) : mutex_(mutex) {
    if (pthread_mutex_lock(&mutex_) == EOWNERDEAD) {
        pthread_mutex_consistent(&mutex_);
    }
}

RobustLock::~RobustLock() {
    pthread_mutex_unlock(&mutex_);
}

}  // namespace valhalla::host::shared
