-- wrk script: POST /api/v2/workloads with a small inline-artifact body.
--   wrk -t1 -c50 -d5s -s bench/create-workloads.lua http://127.0.0.1:PORT/api/v2/workloads
wrk.method = "POST"
wrk.body = '{"name":"bench","artifact":{"name":"a"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
