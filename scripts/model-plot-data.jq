# The data blocks plot-models.gp draws, from a model sweep's records (jq -r -s):
#   0 throughput, 4 pairs: model, messages/s at 16 B, 128 B, 1024 B
#   1 latency: model, p50 µs, p99 µs
def num: if . == null then "NaN" else tostring end;
def one($m; $mode; cond): [.[] | select(.model == $m and .mode == $mode and cond)] | first;

. as $all
| ([$all[] | .model] | unique) as $present
| (["single-task", "mutex", "channels", "race", "reactor", "direct"]
   | map(select(. as $m | $present | index($m)))) as $models
| [
    "# throughput, 4 pairs",
    ( $models[] as $m
      | [$m] + ([16, 128, 1024] | map(. as $s | $all
          | one($m; if $m == "direct" then "direct" else "throughput" end;
                .parameters.size == $s and .parameters.pairs == 4)
          | .results.messages_per_s | num))
      | join(" ") ),
    "", "",
    "# latency",
    ( $models[] as $m | ($all | one($m; "latency"; true)) as $l
      | [$m, ($l.results.p50_us | num), ($l.results.p99_us | num)] | join(" ") )
  ]
| .[]
