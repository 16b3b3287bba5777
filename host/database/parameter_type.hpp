#pragma once

#include <cstddef>
#include <string>

#include <Poco/Dynamic/Var.h>

#include <valhalla/sdk/query.hpp>

namespace valhalla::host::database {

/// C++ type a query parameter is bound as. It is part of a cached statement's key,
/// because a prepared statement binds each placeholder with one type.
enum class ParameterType : char {
    Null = 'n',
    Integer = 'i',
    Unsigned = 'u',
    Real = 'r',
    Boolean = 'b',
    Text = 's',
};

/// Returns the type that `value` is bound as: an empty Var as NULL, a bool as a bool,
/// signed integers as Poco::Int64, unsigned ones as Poco::UInt64, floating point as
/// double and strings as std::string. Throws std::invalid_argument naming `position`
/// (counted from 1) and the type for any other value.
ParameterType parameterTypeOf(const Poco::Dynamic::Var& value, std::size_t position);

/// Returns one ParameterType letter per parameter, such as "is" for an integer and a
/// string. Throws like parameterTypeOf().
std::string parameterSignature(const sdk::QueryParameters& parameters);

}  // namespace valhalla::host::database
