#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace valhalla::host::config {

/// Parses a cgroup v2 `cpu.max` file (`"$MAX $PERIOD"`) into a number of cores, such as 1.5
/// for `150000 100000`. Returns nullopt for `max` (no limit) and for malformed text.
std::optional<double> parseCgroupV2CpuMax(std::string_view text);

/// Parses cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us` into a number of cores.
/// Returns nullopt for a quota of -1 (no limit) and for malformed text.
std::optional<double> parseCgroupV1CpuQuota(std::string_view quota, std::string_view period);

/// Counts the CPU cores a process may use. The count is the smallest CPU quota on the path
/// of its cgroup rounded up and clamped to 1..`hardware_threads`, or `hardware_threads`
/// when no quota is set. A `hardware_threads` of 0 counts as 1.
///
/// `cgroup_root` is the mount point of the cgroup file systems (`/sys/fs/cgroup`) and
/// `self_cgroup` is the text of `/proc/self/cgroup`. A v2 quota is read from `cpu.max`
/// in the process's cgroup folder and each parent. v1 quotas are read from
/// `cpu.cfs_quota_us` and `cpu.cfs_period_us` in the `cpu` controller's folders.
unsigned countAvailableCpuCores(const std::filesystem::path& cgroup_root,
                                std::string_view self_cgroup,
                                unsigned hardware_threads);

/// Counts the CPU cores this process may use, from `/sys/fs/cgroup`, `/proc/self/cgroup`
/// and std::thread::hardware_concurrency().
unsigned countAvailableCpuCores();

}  // namespace valhalla::host::config
