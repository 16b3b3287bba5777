#pragma once

/// Everything a plugin needs: include this header and use VALHALLA_PLUGIN.
#include <valhalla/sdk/abi.hpp>
#include <valhalla/sdk/config_key.hpp>
#include <valhalla/sdk/database.hpp>
#include <valhalla/sdk/http_error.hpp>
#include <valhalla/sdk/json.hpp>
#include <valhalla/sdk/metrics.hpp>
#include <valhalla/sdk/plugin.hpp>
#include <valhalla/sdk/plugin_context.hpp>
#include <valhalla/sdk/query.hpp>
#include <valhalla/sdk/request_context.hpp>
#include <valhalla/sdk/router.hpp>
#include <valhalla/sdk/transaction.hpp>
#include <valhalla/sdk/version.hpp>
