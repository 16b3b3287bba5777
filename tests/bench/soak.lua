-- Mixed load for tests/bench/soak.sh: item reads and writes, hello, and requests
-- that must fail with 4xx. Counts responses by status class in every thread; done()
-- prints the sums as "soak_counts 2xx=N 4xx=N 5xx=N other=N".

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    counts = {ok = 0, client = 0, server = 0, other = 0}
    math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

local json_headers = {["Content-Type"] = "application/json"}

function request()
    local pick = math.random(100)
    if pick <= 55 then
        return wrk.format("GET", "/api/v1/items/" .. math.random(ITEM_COUNT or 1000))
    elseif pick <= 70 then
        local body = string.format('{"name":"soak %d","price":"%d.%02d"}',
            math.random(1000000), math.random(999), math.random(99))
        return wrk.format("POST", "/api/v1/items", json_headers, body)
    elseif pick <= 85 then
        return wrk.format("GET", "/hello")
    elseif pick <= 90 then
        return wrk.format("GET", "/test/swap")
    elseif pick <= 95 then
        return wrk.format("GET", "/no/such/route")
    else
        return wrk.format("POST", "/api/v1/items", json_headers, '{"name":')
    end
end

function response(status, headers, body)
    if status >= 200 and status < 300 then
        counts.ok = counts.ok + 1
    elseif status >= 400 and status < 500 then
        counts.client = counts.client + 1
    elseif status >= 500 then
        counts.server = counts.server + 1
    else
        counts.other = counts.other + 1
    end
end

function done(summary, latency, requests)
    local ok, client, server, other = 0, 0, 0, 0
    for _, thread in ipairs(threads) do
        local c = thread:get("counts")
        ok = ok + c.ok
        client = client + c.client
        server = server + c.server
        other = other + c.other
    end
    io.write(string.format("soak_counts 2xx=%d 4xx=%d 5xx=%d other=%d\n", ok, client, server, other))
end
