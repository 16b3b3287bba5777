#pragma once

#include <Poco/JSON/Object.h>

#include "item.hpp"

namespace valhalla::plugins::items {

/// Validates a POST or PUT body: `name` and `price` are required and `description` is
/// optional, null when absent. Throws sdk::HttpError 422 with every invalid, unknown
/// or read-only field in its field errors.
ItemFields validateItemFields(const Poco::JSON::Object& body);

/// Validates a PATCH body, in which every field is optional. Throws sdk::HttpError 422
/// like validateItemFields.
ItemPatch validateItemPatch(const Poco::JSON::Object& body);

}  // namespace valhalla::plugins::items
