#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <Poco/Data/MySQL/SessionHandle.h>
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/String.h>

#include <valhalla/sdk/sdk.hpp>

namespace {

using Poco::Dynamic::Var;
using valhalla::sdk::RequestContext;
using valhalla::sdk::SessionLease;

constexpr auto kOk = Poco::Net::HTTPResponse::HTTP_OK;

bool isMysql(SessionLease& lease) {
    return Poco::icompare(lease->connector(), "mysql") == 0;
}

Poco::Int64 integerParameter(const RequestContext& request, const std::string& name) {
    return std::stoll(request.queryParameter(name).value_or("0"));
}

/// Turns the client library's automatic reconnection back on inside a transaction,
/// to stand for a client that reconnects although the host switched it off.
void allowReconnect(SessionLease& lease) {
    auto* handle = Poco::AnyCast<MYSQL*>(lease->getProperty("handle"));
    my_bool on = 1;
    mysql_options(handle, MYSQL_OPT_RECONNECT, &on);
}

/// Logs the connection id on MySQL, for the test to kill that connection, and sleeps
/// for `pause_ms`. Does nothing when `pause_ms` is 0 or absent.
void pause(const RequestContext& request, SessionLease& lease, spdlog::logger& logger) {
    Poco::Int64 milliseconds = integerParameter(request, "pause_ms");
    if (milliseconds == 0) {
        return;
    }
    if (isMysql(lease)) {
        auto connection = lease.read("SELECT CONNECTION_ID()").rows.at(0).at(0);
        logger.info("probe transaction paused label={} connection_id={}",
                    request.queryParameter("label").value_or(""),
                    connection.convert<std::string>());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
}

/// Routes that exercise SessionLease::read(), write() and sdk::Transaction against the
/// tables `probe (id, label, note)` and `probe_txn (id, label)` that the tests create.
class DbProbePlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        database_ = &context.database();
        logger_ = context.logger();
        auto& router = context.router();
        router.get("/test/probe/{id}", [this](RequestContext& request) { readProbe(request); });
        router.get("/test/probe", [this](RequestContext& request) { findProbe(request); });
        router.post("/test/probe", [this](RequestContext& request) { insertProbe(request); });
        router.get("/test/session", [this](RequestContext& request) { session(request); });
        router.post("/test/transaction", [this](RequestContext& request) { transaction(request); });
        router.post("/test/begin-and-throw",
                    [this](RequestContext& request) { beginAndThrow(request); });
    }

private:
    /// Reads one probe row by id: {"id":N,"label":"...","note":"..." or null}, or 404.
    void readProbe(RequestContext& request) {
        SessionLease lease = database_->acquire();
        auto result = lease.read("SELECT id, label, note FROM probe WHERE id = ?",
                                 {Poco::Int64{std::stoll(request.pathParameter("id"))}});
        if (result.rows.empty()) {
            throw valhalla::sdk::HttpError(404, "no probe row");
        }
        Poco::JSON::Object body;
        body.set("id", result.rows[0][0].convert<Poco::Int64>());
        body.set("label", result.rows[0][1].convert<std::string>());
        body.set("note", result.rows[0][2]);
        valhalla::sdk::sendJson(request, kOk, body);
    }

    /// Returns {"ids":[...]} of the probe rows with `label` and `note`, where an absent
    /// `note` binds NULL and matches rows whose note is NULL.
    void findProbe(RequestContext& request) {
        SessionLease lease = database_->acquire();
        Var note = request.queryParameter("note") ? Var(*request.queryParameter("note")) : Var();
        std::string sql = isMysql(lease) ? "SELECT id FROM probe WHERE label = ? AND note <=> ?"
                                         : "SELECT id FROM probe WHERE label = ? AND note IS ?";
        auto result = lease.read(sql, {request.queryParameter("label").value_or(""), note});
        Poco::JSON::Array::Ptr ids = new Poco::JSON::Array();
        for (const auto& row : result.rows) {
            ids->add(row.at(0).convert<Poco::Int64>());
        }
        Poco::JSON::Object body;
        body.set("ids", ids);
        valhalla::sdk::sendJson(request, kOk, body);
    }

    /// Inserts the probe row `id` with `label` and returns {"inserted":N}.
    void insertProbe(RequestContext& request) {
        SessionLease lease = database_->acquire();
        auto result = lease.write("INSERT INTO probe (id, label) VALUES (?, ?)",
                                  {integerParameter(request, "id"),
                                   request.queryParameter("label").value_or("inserted")});
        Poco::JSON::Object body;
        body.set("inserted", result.affected_rows);
        valhalla::sdk::sendJson(request, kOk, body);
    }

    /// Returns the session's @@in_transaction, @@autocommit and connection id.
    void session(RequestContext& request) {
        SessionLease lease = database_->acquire();
        auto result = lease.read("SELECT @@in_transaction, @@autocommit, CONNECTION_ID()");
        Poco::JSON::Object body;
        body.set("in_transaction", result.rows.at(0).at(0).convert<int>());
        body.set("autocommit", result.rows.at(0).at(1).convert<int>());
        body.set("connection_id", result.rows.at(0).at(2).convert<Poco::Int64>());
        valhalla::sdk::sendJson(request, kOk, body);
    }

    /// Inserts `<label>-first` and `<label>-second` in one sdk::Transaction, pausing for
    /// `pause_ms` at `pause_at` (`between` the inserts or `before_commit`). With
    /// `reconnect=allow` the client may reconnect during the transaction.
    void transaction(RequestContext& request) {
        std::string label = request.queryParameter("label").value_or("txn");
        std::string pause_at = request.queryParameter("pause_at").value_or("between");
        SessionLease lease = database_->acquire();

        valhalla::sdk::Transaction transaction(lease);
        if (request.queryParameter("reconnect") == "allow") {
            allowReconnect(lease);
        }
        lease.write("INSERT INTO probe_txn (label) VALUES (?)", {label + "-first"});
        if (pause_at == "between") {
            pause(request, lease, *logger_);
        }
        // Other SQL text than the first insert, so the statement is prepared here, where
        // a client that may reconnect does so without an error.
        lease.write("INSERT INTO probe_txn (label) SELECT ?", {label + "-second"});
        if (pause_at == "before_commit") {
            pause(request, lease, *logger_);
            // A statement prepared after the pause is where a client that may reconnect
            // would do so silently.
            lease.read("SELECT COUNT(*) FROM probe_txn");
        }
        transaction.commit();

        Poco::JSON::Object body;
        body.set("committed", label);
        valhalla::sdk::sendJson(request, kOk, body);
    }

    /// Begins a transaction on the session directly, inserts `<label>` and throws.
    void beginAndThrow(RequestContext& request) {
        SessionLease lease = database_->acquire();
        lease->begin();
        lease.write("INSERT INTO probe_txn (label) VALUES (?)",
                    {request.queryParameter("label").value_or("thrown")});
        throw std::runtime_error("deliberate failure inside an open transaction");
    }

    valhalla::sdk::Database* database_ = nullptr;
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace

VALHALLA_PLUGIN(DbProbePlugin, "db_probe", "1.0.0")
