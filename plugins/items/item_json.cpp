#include <Poco/Dynamic/Var.h>

#include "item.hpp"
#include "price.hpp"

namespace valhalla::plugins::items {

Poco::JSON::Object::Ptr itemToJson(const Item& item) {
    Poco::JSON::Object::Ptr json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    json->set("id", item.id);
    json->set("name", item.name);
    json->set("price", formatPrice(item.price_cents));
    if (item.description) {
        json->set("description", *item.description);
    } else {
        json->set("description", Poco::Dynamic::Var());
    }
    json->set("created_at", item.created_at);
    json->set("updated_at", item.updated_at);
    return json;
}

}  // namespace valhalla::plugins::items
