#include "database/parameter_type.hpp"

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <cxxabi.h>

namespace valhalla::host::database {

namespace {

std::string readableTypeName(const std::type_info& type) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> name(
        abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(type.name());
}

}  // namespace

ParameterType parameterTypeOf(const Poco::Dynamic::Var& value, std::size_t position) {
    if (value.isEmpty()) {
        return ParameterType::Null;
    }
    if (value.isBoolean()) {
        return ParameterType::Boolean;
    }
    if (value.isInteger()) {
        return value.isSigned() ? ParameterType::Integer : ParameterType::Unsigned;
    }
    if (value.isNumeric()) {
        return ParameterType::Real;
    }
    if (value.isString()) {
        return ParameterType::Text;
    }
    throw std::invalid_argument("query parameter " + std::to_string(position) + " has type " +
                                readableTypeName(value.type()) +
                                ", which cannot be bound; pass an integer, bool, double, "
                                "std::string or an empty Poco::Dynamic::Var for NULL");
}

std::string parameterSignature(const sdk::QueryParameters& parameters) {
    std::string signature;
    signature.reserve(parameters.size());
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        signature.push_back(static_cast<char>(parameterTypeOf(parameters[i], i + 1)));
    }
    return signature;
}

}  // namespace valhalla::host::database
