#include "database/prepared_statement.hpp"

#include <Poco/Data/RecordSet.h>

namespace valhalla::host::database {

namespace {

using Poco::Data::Keywords::use;

// Slots start with the alternative that matches each parameter type, so binding
// by reference picks the right Poco type handler once.
ParameterSlot emptySlot(ParameterType type) {
    switch (type) {
        case ParameterType::Integer:
            return Poco::Int64{0};
        case ParameterType::Unsigned:
            return Poco::UInt64{0};
        case ParameterType::Real:
            return 0.0;
        case ParameterType::Boolean:
            return false;
        case ParameterType::Text:
            return std::string();
        case ParameterType::Null:
            break;
    }
    return Poco::Nullable<std::string>();
}

}  // namespace

PreparedStatement::PreparedStatement(Poco::Data::StatementImpl::Ptr implementation,
                                     const std::string& sql,
                                     const std::string& signature)
    : statement_(implementation) {
    slots_.reserve(signature.size());
    for (char type : signature) {
        slots_.push_back(emptySlot(static_cast<ParameterType>(type)));
    }
    statement_ << sql;
    for (ParameterSlot& slot : slots_) {
        std::visit([this](auto& value) { statement_, use(value); }, slot);
    }
}

sdk::QueryResult PreparedStatement::execute(const sdk::QueryParameters& parameters) {
    assign(parameters);
    std::size_t count = statement_.execute();
    return collectRows(count);
}

void PreparedStatement::assign(const sdk::QueryParameters& parameters) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const Poco::Dynamic::Var& value = parameters[i];
        std::visit(
            [&value](auto& slot) {
                using Stored = std::decay_t<decltype(slot)>;
                if constexpr (!std::is_same_v<Stored, Poco::Nullable<std::string>>) {
                    slot = value.convert<Stored>();
                }
            },
            slots_[i]);
    }
}

sdk::QueryResult PreparedStatement::collectRows(std::size_t count) {
    sdk::QueryResult result;
    result.affected_rows = count;
    if (statement_.extractionCount() == 0) {
        return result;
    }
    // The extractions that Poco made from the result metadata are cleared by the next
    // execute(), so the values are copied out now.
    Poco::Data::RecordSet records(statement_);
    std::size_t columns = records.columnCount();
    result.rows.reserve(records.rowCount());
    for (std::size_t row = 0; row < records.rowCount(); ++row) {
        std::vector<Poco::Dynamic::Var> values;
        values.reserve(columns);
        for (std::size_t column = 0; column < columns; ++column) {
            values.push_back(records.value(column, row));
        }
        result.rows.push_back(std::move(values));
    }
    return result;
}

}  // namespace valhalla::host::database
