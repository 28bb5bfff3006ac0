# The table of compare-builds.sh. Input: every JSON record of the run, slurped (jq -s); each
# has a "build" (baseline, current or direct) and a "round". For each configuration: the
# medians over the rounds of msg/s (or of the round trip's p50 and p99), each build's median
# ratio to the direct of its own round, and current against baseline.

def median:
  sort | if length == 0 then null
         elif length % 2 == 1 then .[(length - 1) / 2]
         else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def fmt(x): if x == null then "–" else (x * 1000 | round / 1000 | tostring) end;
def mps(x): if x == null then "–" else ((x / 1e4 | round) / 100 | tostring) + " M" end;

. as $all
| def rate($b; $mode; $size; $pairs; $round):
    [$all[] | select(.build == $b and .round == $round and .mode == $mode
                     and .parameters.size == $size and .parameters.pairs == $pairs)
     | .results.messages_per_s] | first;
  def lat($b; $round; f):
    [$all[] | select(.build == $b and .round == $round and .mode == "latency") | .results | f]
    | first;
  ([$all[] | .round] | unique) as $rounds
| "| load | baseline | current | direct | baseline / direct | current / direct | current / baseline |",
  "|---|--:|--:|--:|--:|--:|--:|",
  ( [16, 128, 1024][] as $size | [1, 4][] as $pairs
    | [$rounds[] | {b: rate("baseline"; "throughput"; $size; $pairs; .),
                    c: rate("current"; "throughput"; $size; $pairs; .),
                    d: rate("direct"; "direct"; $size; $pairs; .)}] as $r
    | "| \($size) B × \($pairs) | \(mps($r | map(.b) | median)) | \(mps($r | map(.c) | median)) "
      + "| \(mps($r | map(.d) | median)) "
      + "| \(fmt($r | map(select(.b and .d) | .b / .d) | median)) "
      + "| \(fmt($r | map(select(.c and .d) | .c / .d) | median)) "
      + "| \(fmt($r | map(select(.b and .c) | .c / .b) | median)) |" ),
  ( ["p50", "p99"][] as $q
    | [$rounds[] | {b: lat("baseline"; .; .["\($q)_us"]), c: lat("current"; .; .["\($q)_us"]),
                    d: lat("direct"; .; .["\($q)_us"])}] as $r
    | "| round trip \($q) µs | \(fmt($r | map(.b) | median)) | \(fmt($r | map(.c) | median)) "
      + "| \(fmt($r | map(.d) | median)) "
      + "| \(fmt($r | map(select(.b and .d) | .b / .d) | median)) "
      + "| \(fmt($r | map(select(.c and .d) | .c / .d) | median)) "
      + "| \(fmt($r | map(select(.b and .c) | .c / .b) | median)) |" )
