#include "config/cpu_limit.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "config/value_parsers.hpp"

namespace valhalla::host::config {

namespace {

std::optional<long long> parseWholeNumber(std::string_view text) {
    std::string_view trimmed = trimWhitespace(text);
    long long value = 0;
    auto [end, error] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
    if (trimmed.empty() || error != std::errc() || end != trimmed.data() + trimmed.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> quotaInCores(std::optional<long long> quota,
                                   std::optional<long long> period) {
    if (!quota || !period || *quota <= 0 || *period <= 0) {
        return std::nullopt;
    }
    return static_cast<double>(*quota) / static_cast<double>(*period);
}

std::optional<std::string> readSmallFile(const std::filesystem::path& path) {
    std::ifstream stream(path);
    if (!stream) {
        return std::nullopt;
    }
    return std::string(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
}

// Whether a /proc/self/cgroup line with `controllers` belongs to `controller`; an empty
// `controller` matches the v2 line `0::/path`.
bool controllerMatches(std::string_view line,
                       std::string_view controllers,
                       std::string_view controller) {
    if (controller.empty()) {
        return controllers.empty() && line.starts_with("0:");
    }
    std::vector<std::string> names = splitList(controllers);
    return std::ranges::find(names, controller) != names.end();
}

// The cgroup path of the line in /proc/self/cgroup whose controller list contains
// `controller`; an empty `controller` selects the v2 line `0::/path`.
std::optional<std::string> cgroupPathOf(std::string_view self_cgroup, std::string_view controller) {
    while (!self_cgroup.empty()) {
        std::size_t newline = self_cgroup.find('\n');
        std::string_view line = self_cgroup.substr(0, newline);
        self_cgroup.remove_prefix(newline == std::string_view::npos ? self_cgroup.size()
                                                                    : newline + 1);

        std::size_t first_colon = line.find(':');
        std::size_t second_colon = line.find(':', first_colon + 1);
        if (first_colon == std::string_view::npos || second_colon == std::string_view::npos) {
            continue;
        }
        std::string_view controllers = line.substr(first_colon + 1, second_colon - first_colon - 1);
        std::string_view path = trimWhitespace(line.substr(second_colon + 1));
        if (controllerMatches(line, controllers, controller)) {
            return std::string(path);
        }
    }
    return std::nullopt;
}

// `base/relative` and each of its parents up to and including `base`.
std::vector<std::filesystem::path> folderAndParents(const std::filesystem::path& base,
                                                    std::string_view relative) {
    std::vector<std::filesystem::path> folders;
    std::filesystem::path current = std::filesystem::path(relative).relative_path();
    while (!current.empty()) {
        folders.push_back(base / current);
        current = current.parent_path();
    }
    folders.push_back(base);
    return folders;
}

std::optional<double> smallestQuota(const std::vector<std::optional<double>>& quotas) {
    std::optional<double> smallest;
    for (const auto& quota : quotas) {
        if (quota && (!smallest || *quota < *smallest)) {
            smallest = quota;
        }
    }
    return smallest;
}

std::optional<double> cgroupV2Quota(const std::filesystem::path& root,
                                    std::string_view self_cgroup) {
    std::vector<std::optional<double>> quotas;
    for (const auto& folder : folderAndParents(root, cgroupPathOf(self_cgroup, "").value_or(""))) {
        if (auto text = readSmallFile(folder / "cpu.max")) {
            quotas.push_back(parseCgroupV2CpuMax(*text));
        }
    }
    return smallestQuota(quotas);
}

std::optional<double> cgroupV1Quota(const std::filesystem::path& root,
                                    std::string_view self_cgroup) {
    std::string relative = cgroupPathOf(self_cgroup, "cpu").value_or("");
    std::vector<std::optional<double>> quotas;
    for (std::string_view mount : {"cpu", "cpu,cpuacct", "cpuacct,cpu"}) {
        for (const auto& folder : folderAndParents(root / mount, relative)) {
            auto quota = readSmallFile(folder / "cpu.cfs_quota_us");
            auto period = readSmallFile(folder / "cpu.cfs_period_us");
            if (quota && period) {
                quotas.push_back(parseCgroupV1CpuQuota(*quota, *period));
            }
        }
    }
    return smallestQuota(quotas);
}

}  // namespace

std::optional<double> parseCgroupV2CpuMax(std::string_view text) {
    std::string_view trimmed = trimWhitespace(text);
    std::size_t space = trimmed.find(' ');
    if (space == std::string_view::npos) {
        return std::nullopt;
    }
    return quotaInCores(parseWholeNumber(trimmed.substr(0, space)),
                        parseWholeNumber(trimmed.substr(space + 1)));
}

std::optional<double> parseCgroupV1CpuQuota(std::string_view quota, std::string_view period) {
    return quotaInCores(parseWholeNumber(quota), parseWholeNumber(period));
}

unsigned countAvailableCpuCores(const std::filesystem::path& cgroup_root,
                                std::string_view self_cgroup,
                                unsigned hardware_threads) {
    unsigned hardware = std::max(hardware_threads, 1U);
    std::optional<double> quota = cgroupV2Quota(cgroup_root, self_cgroup);
    if (!quota) {
        quota = cgroupV1Quota(cgroup_root, self_cgroup);
    }
    if (!quota) {
        return hardware;
    }

    double cores = std::ceil(*quota);
    return cores >= hardware ? hardware : std::max(static_cast<unsigned>(cores), 1U);
}

unsigned countAvailableCpuCores() {
    std::string self_cgroup = readSmallFile("/proc/self/cgroup").value_or("");
    return countAvailableCpuCores(
        "/sys/fs/cgroup", self_cgroup, std::thread::hardware_concurrency());
}

}  // namespace valhalla::host::config
