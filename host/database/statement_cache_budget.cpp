#include "database/statement_cache_budget.hpp"

#include <algorithm>

namespace valhalla::host::database {

StatementCacheBudget statementCacheBudget(std::size_t configured,
                                          std::size_t workers,
                                          std::size_t pool_size) {
    std::size_t connections =
        std::max<std::size_t>(workers, 1) * std::max<std::size_t>(pool_size, 1);
    std::size_t per_connection_limit = kDefaultServerStatementLimit / 2 / connections;
    std::size_t cacheable = per_connection_limit > 0 ? per_connection_limit - 1 : 0;

    StatementCacheBudget budget;
    budget.per_connection = std::min(configured, cacheable);
    budget.lowered = budget.per_connection < configured;
    budget.max_prepared_statements = connections * (budget.per_connection + 1);
    return budget;
}

}  // namespace valhalla::host::database
