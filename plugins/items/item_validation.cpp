#include "item_validation.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include <Poco/Dynamic/Var.h>
#include <Poco/Types.h>

#include <valhalla/sdk/http_error.hpp>

#include "price.hpp"
#include "utf8.hpp"

namespace valhalla::plugins::items {

namespace {

constexpr std::array<std::string_view, 3> kWritableFields = {"name", "price", "description"};

constexpr std::array<std::string_view, 3> kReadOnlyFields = {"id", "created_at", "updated_at"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, const std::string& name) {
    for (std::string_view candidate : names) {
        if (candidate == name) {
            return true;
        }
    }
    return false;
}

/// Collects field errors and throws them together as one 422.
class FieldErrors {
public:
    void add(std::string field, std::string message) {
        fields_.push_back({std::move(field), std::move(message)});
    }

    void throwIfAny() const {
        if (fields_.empty()) {
            return;
        }
        std::string names;
        for (const auto& field : fields_) {
            names += names.empty() ? field.field : ", " + field.field;
        }
        sdk::HttpError error(422, "invalid item fields: " + names);
        for (const auto& field : fields_) {
            error.withField(field.field, field.message);
        }
        throw error;
    }

private:
    std::vector<sdk::FieldError> fields_;
};

std::string describeLength(std::size_t min_length, std::size_t max_length) {
    if (min_length == 0) {
        return "at most " + std::to_string(max_length) + " characters";
    }
    return std::to_string(min_length) + " to " + std::to_string(max_length) + " characters";
}

/// Reads a string of `min_length` to `max_length` code points, or records why the value
/// is invalid and returns std::nullopt.
std::optional<std::string> readText(const Poco::Dynamic::Var& value,
                                    const std::string& field,
                                    std::size_t min_length,
                                    std::size_t max_length,
                                    FieldErrors& errors) {
    std::string allowed = describeLength(min_length, max_length);
    if (!value.isString()) {
        errors.add(field, "must be a string of " + allowed);
        return std::nullopt;
    }
    const auto& text = value.extract<std::string>();
    std::optional<std::size_t> length = countCodePoints(text);
    if (!length) {
        errors.add(field, "must be valid UTF-8");
        return std::nullopt;
    }
    if (*length < min_length || *length > max_length) {
        errors.add(field, "must be " + allowed + ", got " + std::to_string(*length));
        return std::nullopt;
    }
    // SQLite ends a text value at NUL while MariaDB keeps it, so control characters
    // other than tab and line breaks are rejected for both.
    bool has_control = std::any_of(text.begin(), text.end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f;
    });
    if (has_control) {
        errors.add(field, "must not contain control characters");
        return std::nullopt;
    }
    return text;
}

std::int64_t priceFromJson(const Poco::Dynamic::Var& value) {
    // Booleans also report isInteger() and isNumeric() in Poco, so test them first.
    if (value.type() == typeid(bool)) {
        throw std::invalid_argument("must be a decimal string such as \"12.50\" or a number");
    }
    if (value.isString()) {
        return parsePriceText(value.extract<std::string>());
    }
    if (value.type() == typeid(Poco::UInt64)) {
        Poco::UInt64 unsigned_value = value.extract<Poco::UInt64>();
        if (unsigned_value > static_cast<Poco::UInt64>(kMaxPriceCents)) {
            throw std::invalid_argument("must be at most 99999999.99");
        }
        return parsePriceInteger(static_cast<std::int64_t>(unsigned_value));
    }
    if (value.isInteger()) {
        return parsePriceInteger(value.convert<Poco::Int64>());
    }
    if (value.isNumeric()) {
        return parsePriceNumber(value.convert<double>());
    }
    throw std::invalid_argument("must be a decimal string such as \"12.50\" or a number");
}

std::optional<std::int64_t> readPrice(const Poco::Dynamic::Var& value, FieldErrors& errors) {
    try {
        return priceFromJson(value);
    } catch (const std::invalid_argument& error) {
        errors.add("price", error.what());
        return std::nullopt;
    }
}

/// Reads `description`: a string of at most kMaxDescriptionLength code points, or null.
/// Returns std::nullopt when invalid, and an empty inner value for null.
std::optional<std::optional<std::string>> readDescription(const Poco::Dynamic::Var& value,
                                                          FieldErrors& errors) {
    if (value.isEmpty()) {
        return std::optional<std::string>();
    }
    if (!value.isString()) {
        errors.add("description", "must be a string or null");
        return std::nullopt;
    }
    std::optional<std::string> text =
        readText(value, "description", 0, kMaxDescriptionLength, errors);
    if (!text) {
        return std::nullopt;
    }
    return std::optional<std::string>(std::move(*text));
}

/// Records an error for every member that a client may not send.
void rejectUnexpectedFields(const Poco::JSON::Object& body, FieldErrors& errors) {
    for (const auto& [name, value] : body) {
        if (contains(kReadOnlyFields, name)) {
            errors.add(name, "is set by the server and must not be sent");
        } else if (!contains(kWritableFields, name)) {
            errors.add(name, "unknown field");
        }
    }
}

/// Reads every writable field present in `body`, recording errors for invalid ones.
ItemPatch readPresentFields(const Poco::JSON::Object& body, FieldErrors& errors) {
    ItemPatch patch;
    if (body.has("name")) {
        patch.name = readText(body.get("name"), "name", 1, kMaxNameLength, errors);
    }
    if (body.has("price")) {
        patch.price_cents = readPrice(body.get("price"), errors);
    }
    if (body.has("description")) {
        patch.description = readDescription(body.get("description"), errors);
    }
    rejectUnexpectedFields(body, errors);
    return patch;
}

}  // namespace

ItemFields validateItemFields(const Poco::JSON::Object& body) {
    FieldErrors errors;
    ItemPatch present = readPresentFields(body, errors);
    if (!body.has("name")) {
        errors.add("name", "is required");
    }
    if (!body.has("price")) {
        errors.add("price", "is required");
    }
    errors.throwIfAny();

    ItemFields fields;
    fields.name = std::move(*present.name);
    fields.price_cents = *present.price_cents;
    if (present.description) {
        fields.description = std::move(*present.description);
    }
    return fields;
}

ItemPatch validateItemPatch(const Poco::JSON::Object& body) {
    FieldErrors errors;
    ItemPatch patch = readPresentFields(body, errors);
    errors.throwIfAny();
    return patch;
}

}  // namespace valhalla::plugins::items
