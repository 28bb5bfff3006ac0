# The data blocks plot-benchmarks.gp draws, from a sweep's records (jq -r -s). Blocks are
# separated by two blank lines and selected in gnuplot with `index N`, in this order:
#   0 throughput: size, switchboard 1 pair, switchboard 4 pairs, direct 1 pair, direct 4 pairs
#   1 latency: label, switchboard µs, direct µs
#   2 memory: connections, server bytes per connection
#   3 scaling: idle connections, messages/s
include "bench-common";

def num: if . == null then "NaN" else tostring end;

. as $all
| [
    "# throughput",
    ( sizes($all)[] as $size
      | [ $size,
          ( [1, 4][] as $p | runs($all; "throughput"; .parameters.size == $size and .parameters.pairs == $p) | med(.results.messages_per_s) ),
          ( [1, 4][] as $p | runs($all; "direct"; .parameters.size == $size and .parameters.pairs == $p) | med(.results.messages_per_s) ) ]
      | map(num) | join(" ") ),
    "", "",
    "# latency",
    ( [["p50", "p50_us"], ["p90", "p90_us"], ["p99", "p99_us"], ["p99.9", "p999_us"], ["max", "max_us"]][] as [$name, $key]
      | [ $name,
          (runs($all; "latency"; .parameters.direct == false) | med(.results[$key])),
          (runs($all; "latency"; .parameters.direct == true) | med(.results[$key])) ]
      | map(num) | join(" ") ),
    "", "",
    "# memory",
    ( [$all[] | select(.mode == "idle") | .parameters.connections] | unique | .[] as $n
      | [ $n, (runs($all; "idle"; .parameters.connections == $n) | med(.results.server_rss_per_connection_bytes)) ]
      | map(num) | join(" ") ),
    "", "",
    "# scaling",
    ( [$all[] | select(.mode == "scaling") | .parameters.connections] | unique | .[] as $n
      | [ $n, (runs($all; "scaling"; .parameters.connections == $n) | med(.results.messages_per_s)) ]
      | map(num) | join(" ") )
  ]
| .[]
