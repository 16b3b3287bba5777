-- Random item reads for tests/bench/items_bench.sh. Every request is
-- GET /api/v1/items/{id} with an id drawn uniformly from 1 to the item count, which
-- is the script's first argument:
--
--   wrk -t2 -c64 -d10s -s items.lua http://127.0.0.1:PORT/api/v1/items/1 -- 10000
--
-- init() formats every request once, so each request costs wrk one random number
-- and one table lookup, the same for every server.

local thread_count = 0

function setup(thread)
    thread_count = thread_count + 1
    thread:set("thread_number", thread_count)
end

function init(args)
    item_count = tonumber(args[1])
    if item_count == nil or item_count < 1 or item_count % 1 ~= 0 then
        error("items.lua: invalid item count '" .. tostring(args[1]) ..
            "': pass a whole number of 1 or more after --")
    end
    -- Each wrk thread has its own Lua state, so each seeds its own generator.
    math.randomseed(os.time() * 100 + thread_number)
    requests = {}
    for id = 1, item_count do
        requests[id] = wrk.format("GET", "/api/v1/items/" .. id)
    end
end

function request()
    return requests[math.random(item_count)]
end
