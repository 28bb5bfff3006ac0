# The markdown tables of docs/benchmarks.md from a sweep's records (jq -r -s).
include "bench-common";

def rate: if . == null then "–" elif . >= 1e6 then "\(. / 1e4 | round / 100) M"
          elif . >= 1e3 then "\(. / 10 | round / 100) k" else "\(round)" end;
def pct: if . == null then "–" else "\(. * 100 | round) %" end;
def dec1: if . == null then "–" else "\(. * 10 | round / 10)" end;
def dec2: if . == null then "–" else "\(. * 100 | round / 100)" end;
def share: if . == null then "–" else "\(. * 100 | round) %" end;
def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b end;

. as $all
| [
    ( [$all[] | select(contended)] | length ) as $contended
    | "\($all | length) runs; \($contended) contended (the server or the bench waited for a CPU "
      + "more than 5 % of the time), set aside wherever the same configuration has a clean run.",
    "",
    "### Throughput (messages/s at the receivers, 256 in flight per pair)",
    "",
    "| payload | pairs | switchboard | MB/s | direct | switchboard / direct | CPU: bench, server | waiting for a CPU: server, direct |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ( sizes($all)[] as $size | pair_counts($all)[] as $pairs
      | runs($all; "throughput"; .parameters.size == $size and .parameters.pairs == $pairs) as $s
      | runs($all; "direct"; .parameters.size == $size and .parameters.pairs == $pairs) as $d
      | ($s | med(.results.messages_per_s)) as $sr
      | ($d | med(.results.messages_per_s)) as $dr
      | "| \($size) B | \($pairs) | \($sr | rate) | \($s | med(.results.mb_per_s) | dec1) "
        + "| \($dr | rate) | \(ratio($sr; $dr) | pct) | \($s | med(.results.bench_cpu) | dec2), "
        + "\($s | med(.results.server_cpu) | dec2) | \($s | med(.results.server_cpu_wait) | share), "
        + "\($d | med(.results.bench_cpu_wait) | share) |" ),
    "",
    "### Round-trip latency (µs, one message in flight, 16 B)",
    "",
    "| | p50 | p90 | p99 | p99.9 | max | round trips/s | waiting for a CPU: server, bench |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
    ( [false, true][] as $direct
      | runs($all; "latency"; .parameters.direct == $direct) as $l
      | select($l | length > 0)
      | "| \(if $direct then "direct" else "switchboard" end) | \($l | med(.results.p50_us) | dec1) "
        + "| \($l | med(.results.p90_us) | dec1) | \($l | med(.results.p99_us) | dec1) "
        + "| \($l | med(.results.p999_us) | dec1) | \($l | med(.results.max_us) | dec1) "
        + "| \($l | med(.results.round_trips_per_s) | rate) "
        + "| \($l | med(.results.server_cpu_wait) | share), \($l | med(.results.bench_cpu_wait) | share) |" ),
    ( runs($all; "latency"; .parameters.direct == false) as $s
      | runs($all; "latency"; .parameters.direct == true) as $d
      | select(($s | length > 0) and ($d | length > 0))
      | "| switchboard / direct | \(ratio($s | med(.results.p50_us); $d | med(.results.p50_us)) | dec2) × "
        + "| \(ratio($s | med(.results.p90_us); $d | med(.results.p90_us)) | dec2) × "
        + "| \(ratio($s | med(.results.p99_us); $d | med(.results.p99_us)) | dec2) × "
        + "| \(ratio($s | med(.results.p999_us); $d | med(.results.p999_us)) | dec2) × | | | |" ),
    "",
    "### Idle connections (fresh server each)",
    "",
    "| connections | opened/s | server RSS before | after | per connection |",
    "|--:|--:|--:|--:|--:|",
    ( [$all[] | select(.mode == "idle") | .parameters.connections] | unique | .[] as $n
      | runs($all; "idle"; .parameters.connections == $n) as $i
      | "| \($n) | \($i | med(.results.connections_per_s) | rate) "
        + "| \($i | med(.results.server_rss_before_bytes) / 1048576 | dec1) MiB "
        + "| \($i | med(.results.server_rss_after_bytes) / 1048576 | dec1) MiB "
        + "| \($i | med(.results.server_rss_per_connection_bytes) | round) B |" ),
    "",
    "### Throughput while idle connections are open (4 pairs, 16 B, fresh server each)",
    "",
    "| idle connections | messages/s | vs none | server CPU | server waiting for a CPU |",
    "|--:|--:|--:|--:|--:|",
    ( (runs($all; "scaling"; .parameters.connections == 0) | med(.results.messages_per_s)) as $base
      | [$all[] | select(.mode == "scaling") | .parameters.connections] | unique | .[] as $n
      | runs($all; "scaling"; .parameters.connections == $n) as $s
      | ($s | med(.results.messages_per_s)) as $r
      | "| \($n) | \($r | rate) | \(ratio($r; $base) | pct) | \($s | med(.results.server_cpu) | dec2) "
        + "| \($s | med(.results.server_cpu_wait) | share) |" )
  ]
| .[]
