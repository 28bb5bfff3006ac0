# The markdown table of docs/patterns.md from a model sweep's records (jq -r -s); each record
# carries the "model" it measured (run-model-sweep.sh adds it; "direct" for no server).
def rate: if . == null then "–" elif . >= 1e6 then "\(. / 1e4 | round / 100) M"
          elif . >= 1e3 then "\(. / 10 | round / 100) k" else "\(round)" end;
def us: if . == null then "–" else "\(. * 10 | round / 10)" end;
def bytes: if . == null then "–" else "\(round) B" end;
def cpu: if . == null then "–" else "\(. * 100 | round / 100)" end;
def wait: if . == null then "–" else "\(. * 100 | round) %" end;
def one($m; $mode; cond): [.[] | select(.model == $m and .mode == $mode and cond)] | first;
def tput($m; $size; $pairs):
  one($m; if $m == "direct" then "direct" else "throughput" end;
      .parameters.size == $size and .parameters.pairs == $pairs);

. as $all
| ([$all[] | .model] | unique) as $present
| (["single-task", "mutex", "channels", "race", "reactor", "direct"]
   | map(select(. as $m | $present | index($m)))) as $models
| [
    "| model | server cores | 16 B ×1 | 16 B ×4 | 128 B ×1 | 128 B ×4 | 1 KiB ×1 | 1 KiB ×4 | p50 µs | p99 µs | 16 B ×4 with \($all | map(select(.mode == "scaling") | .parameters.connections) | first // 0) idle | memory per idle connection | server CPU at 16 B ×4 (waiting) |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ( $models[] as $m
      | ($all | one($m; "latency"; true)) as $lat
      | ($all | one($m; "scaling"; true)) as $sc
      | ($all | tput($m; 16; 4)) as $t164
      | "| \($m) | \(($all | map(select(.model == $m)) | first | .server_cores) // "–") | "
        + ([[16, 1], [16, 4], [128, 1], [128, 4], [1024, 1], [1024, 4]]
           | map(. as [$s, $p] | $all | tput($m; $s; $p) | .results.messages_per_s | rate)
           | join(" | "))
        + " | \($lat.results.p50_us | us) | \($lat.results.p99_us | us) "
        + "| \($sc.results.messages_per_s | rate) "
        + "| \($sc.results.idle.server_rss_per_connection_bytes | bytes) "
        + "| \($t164.results.server_cpu | cpu) (\($t164.results.server_cpu_wait | wait)) |" )
  ]
| .[]
