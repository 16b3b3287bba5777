#pragma once

#include <cstddef>

namespace valhalla::host::config {

/// Database sessions per CPU core in the default pool size.
inline constexpr std::size_t kPoolSessionsPerCore = 5;

/// Largest `database.pool.size` that settings accept.
inline constexpr std::size_t kMaxPoolSize = 10'000;

/// Default `database.pool.size`: kPoolSessionsPerCore per CPU core this process may use
/// (see countAvailableCpuCores), at most kMaxPoolSize.
std::size_t defaultPoolSize();

}  // namespace valhalla::host::config
