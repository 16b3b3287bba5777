#include "item_routes.hpp"

#include <optional>
#include <string>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPResponse.h>

#include <valhalla/sdk/http_error.hpp>
#include <valhalla/sdk/json.hpp>

#include "item.hpp"
#include "item_validation.hpp"
#include "request_parameters.hpp"

namespace valhalla::plugins::items {

namespace {

using Poco::Net::HTTPResponse;

std::string itemPath(std::int64_t id) {
    return std::string(kItemsPath) + "/" + std::to_string(id);
}

[[noreturn]] void throwNotFound(std::int64_t id) {
    throw sdk::HttpError(404, "item '" + std::to_string(id) + "' not found");
}

Item foundOrThrow(const std::optional<Item>& item, std::int64_t id) {
    if (!item) {
        throwNotFound(id);
    }
    return *item;
}

/// Builds {"items": [...], "total": N, "limit": L, "offset": O} in that order.
Poco::JSON::Object::Ptr pageToJson(const ItemPage& page, const PageRequest& request) {
    Poco::JSON::Array::Ptr items = new Poco::JSON::Array();
    for (const Item& item : page.items) {
        items->add(itemToJson(item));
    }
    Poco::JSON::Object::Ptr json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    json->set("items", items);
    json->set("total", page.total);
    json->set("limit", request.limit);
    json->set("offset", request.offset);
    return json;
}

}  // namespace

ItemRoutes::ItemRoutes(sdk::Database& database,
                       const ItemsConfig& config,
                       std::shared_ptr<spdlog::logger> logger)
    : database_(database, config, std::move(logger)), max_limit_(config.max_limit) {}

void ItemRoutes::registerRoutes(sdk::Router& router) {
    std::string item_pattern = std::string(kItemsPath) + "/{id}";
    router.post(kItemsPath, [this](sdk::RequestContext& request) { create(request); });
    router.get(kItemsPath, [this](sdk::RequestContext& request) { list(request); });
    router.get(item_pattern, [this](sdk::RequestContext& request) { read(request); });
    router.put(item_pattern, [this](sdk::RequestContext& request) { replace(request); });
    router.patch(item_pattern, [this](sdk::RequestContext& request) { patch(request); });
    router.del(item_pattern, [this](sdk::RequestContext& request) { remove(request); });
}

void ItemRoutes::create(sdk::RequestContext& request) {
    ItemFields fields = validateItemFields(*sdk::readJsonObject(request));

    Item item = database_.run(request, [&](const ItemStore& store, sdk::SessionLease& lease) {
        return store.insert(lease, fields);
    });

    request.response().set("Location", itemPath(item.id));
    sdk::sendJson(request, HTTPResponse::HTTP_CREATED, itemToJson(item));
}

void ItemRoutes::read(sdk::RequestContext& request) {
    std::int64_t id = readItemId(request);

    std::optional<Item> item = database_.run(
        request,
        [&](const ItemStore& store, sdk::SessionLease& lease) { return store.find(lease, id); });

    sdk::sendJson(request, HTTPResponse::HTTP_OK, itemToJson(foundOrThrow(item, id)));
}

void ItemRoutes::list(sdk::RequestContext& request) {
    PageRequest page_request = readPageRequest(request, max_limit_);

    ItemPage page = database_.run(request, [&](const ItemStore& store, sdk::SessionLease& lease) {
        return store.list(lease, page_request.limit, page_request.offset);
    });

    sdk::sendJson(request, HTTPResponse::HTTP_OK, pageToJson(page, page_request));
}

void ItemRoutes::replace(sdk::RequestContext& request) {
    std::int64_t id = readItemId(request);
    ItemFields fields = validateItemFields(*sdk::readJsonObject(request));

    std::optional<Item> item =
        database_.run(request, [&](const ItemStore& store, sdk::SessionLease& lease) {
            return store.replace(lease, id, fields);
        });

    sdk::sendJson(request, HTTPResponse::HTTP_OK, itemToJson(foundOrThrow(item, id)));
}

void ItemRoutes::patch(sdk::RequestContext& request) {
    std::int64_t id = readItemId(request);
    ItemPatch changes = validateItemPatch(*sdk::readJsonObject(request));

    std::optional<Item> item =
        database_.run(request, [&](const ItemStore& store, sdk::SessionLease& lease) {
            return store.update(lease, id, changes);
        });

    sdk::sendJson(request, HTTPResponse::HTTP_OK, itemToJson(foundOrThrow(item, id)));
}

void ItemRoutes::remove(sdk::RequestContext& request) {
    std::int64_t id = readItemId(request);

    bool removed = database_.run(request, [&](const ItemStore& store, sdk::SessionLease& lease) {
        return store.remove(lease, id);
    });

    if (!removed) {
        throwNotFound(id);
    }
    // A 204 response has neither a body nor Content-Length. The host sends the header.
    request.response().setStatusAndReason(HTTPResponse::HTTP_NO_CONTENT);
}

}  // namespace valhalla::plugins::items
