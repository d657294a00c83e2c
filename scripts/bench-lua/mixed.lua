-- Mixed: 90% GetIntegration, 10% durable UpdateIntegration, on random ids of the big api.
--   GET   {prefix}/v2/apis/{apiId}/integrations/{random id}
--   PATCH {prefix}/v2/apis/{apiId}/integrations/{random id}  {"timeoutInMillis":<50..29000>}
-- Same arguments and BENCHJSON output as the shared workloads: compare.py prepends
-- ../shared/bench/lua/common.lua (scripts/bench registers this file as workload "mixed").
-- Each connection draws its next request independently (p = write_share), so the answered
-- requests split 90/10 whatever the latencies; scripts/bench reports reads/s = 0.9 x req/s
-- (its WRITE_SHARE).
function init(args)
   common_init(args)
   write_share = 0.1
   paths = {}
   for i, id in ipairs(ids) do
      paths[i] = prefix .. "/v2/apis/" .. api_id .. "/integrations/" .. id
   end
   maybe_count()
end

function request()
   local p = paths[math.random(#paths)]
   if math.random() < write_share then
      local body = '{"timeoutInMillis":' .. math.random(50, 29000) .. '}'
      return wrk.format("PATCH", p, hdrs, body)
   end
   return wrk.format("GET", p, hdrs, nil)
end
