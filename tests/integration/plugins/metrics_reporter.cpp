#include <atomic>
#include <string>

#include <valhalla/sdk/sdk.hpp>

namespace {

/// Declares a counter and a histogram and a readiness check. `POST /test/widgets?size=N`
/// counts a widget and observes its size; `PUT /test/ready/on` and `/off` switch the
/// readiness check of the worker that serves the request.
class MetricsReporterPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        auto& widgets = context.counter("widgets_total", "Widgets made.");
        auto& sizes = context.histogram("widget_size", "Size of each widget.", {1, 10, 100});
        context.setReadinessCheck([this] {
            return valhalla::sdk::Readiness{ready_.load(), "switched off by a test"};
        });
        context.router().post(
            "/test/widgets", [&widgets, &sizes](valhalla::sdk::RequestContext& request) {
                widgets.add();
                sizes.observe(std::stod(request.queryParameter("size").value_or("0")));
                request.response().setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
                request.response().send();
            });
        context.router().put("/test/ready/{state}", [this](valhalla::sdk::RequestContext& request) {
            ready_ = request.pathParameter("state") == "on";
            request.response().setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
            request.response().send();
        });
    }

private:
    std::atomic<bool> ready_{true};
};

}  // namespace

VALHALLA_PLUGIN(MetricsReporterPlugin, "metrics_reporter", "1.0.0")
