#include "config/pool_size.hpp"

#include <algorithm>

#include "config/cpu_limit.hpp"

namespace valhalla::host::config {

std::size_t defaultPoolSize() {
    return std::min(kPoolSessionsPerCore * countAvailableCpuCores(), kMaxPoolSize);
}

}  // namespace valhalla::host::config
