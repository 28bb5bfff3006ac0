#!/usr/bin/env bash
# Reproduces docs/benchmarks.md in one command: builds Release, runs the `switchboard` server
# pinned to one core and switchboard-bench pinned to another, runs the sweep, and writes the
# JSON records, a markdown table and the PNG plots.
#
#   scripts/run-benchmarks.sh [--out DIR] [--repeat N] [--quick]
#
#   --out DIR    where results go (default build-release/bench-results): bench-results.jsonl
#                (one JSON object per run), bench-table.md, bench-*.png; the server logs go
#                to build-release/bench-logs
#   --repeat N   run every measurement N times; tables and plots use the median (default 1)
#   --quick      1 s runs and fewer connections: checks the script, not the machine
#
# Environment: SERVER_CORE (default 0), BENCH_CORE (default 1), DURATION (5s), WARMUP (1s),
# BUILD_DIR (default build-release), SWITCHBOARD_JOBS (build parallelism, default the number
# of CPUs). Needs the Debian packages gnuplot-nox and jq; installs them with apt-get (through
# sudo when not root) if missing.
set -euo pipefail

readonly script=run-benchmarks
# shellcheck source=bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

out="$build/bench-results"
repeat=1
quick=0
while (($# > 0)); do
    case $1 in
    --out)
        out=$2
        shift 2
        ;;
    --repeat)
        repeat=$2
        shift 2
        ;;
    --quick)
        quick=1
        shift
        ;;
    -h | --help)
        sed -n '2,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        echo "run-benchmarks: unknown argument '$1' (try --help)" >&2
        exit 2
        ;;
    esac
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || {
    echo "run-benchmarks: --repeat takes a whole number above 0" >&2
    exit 2
}

server_core=${SERVER_CORE:-0}
bench_core=${BENCH_CORE:-1}
duration=${DURATION:-5s}
warmup=${WARMUP:-1s}
idle_counts=(1000 5000 10000)
scaling_counts=(0 1000 5000 10000)
if ((quick)); then
    duration=1s
    warmup=200ms
    idle_counts=(200 1000)
    scaling_counts=(0 1000)
fi

trap stop_server EXIT

prepare_run bench-results.jsonl
((repeat > 1)) && say "every measurement runs $repeat times; the tables use the median"

load=(--duration "$duration" --warmup "$warmup")

# Repetitions are interleaved (the whole sweep, then again) so that a burst of other load on
# the machine spoils one run of several configurations rather than every run of one.
for ((run = 1; run <= repeat; run++)); do
    start_server "throughput-$run"
    for size in 16 128 1024; do
        for pairs in 1 4; do
            bench throughput --connect "127.0.0.1:$server_port" --server-pid "$server_pid" \
                --pairs "$pairs" --size "$size" "${load[@]}"
            bench direct --pairs "$pairs" --size "$size" "${load[@]}"
        done
    done
    bench latency --connect "127.0.0.1:$server_port" --server-pid "$server_pid" "${load[@]}"
    bench latency --direct "${load[@]}"

    # A fresh server for each: memory a server freed is not always returned to the system.
    for n in "${idle_counts[@]}"; do
        start_server "idle-$n-$run"
        bench idle --connect "127.0.0.1:$server_port" --server-pid "$server_pid" \
            --connections "$n"
    done
    for n in "${scaling_counts[@]}"; do
        start_server "scaling-$n-$run"
        bench scaling --connect "127.0.0.1:$server_port" --server-pid "$server_pid" \
            --connections "$n" --pairs 4 --size 16 "${load[@]}"
    done
done
stop_server

say "tables and plots"
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo |
        cut -d: -f2- | sed 's/^ *//')), Linux $(uname -r); server on core $server_core, bench on" \
        "core $bench_core; $duration after $warmup warm-up; median of $repeat run(s)."
    echo
    jq -r -s -L "$here" -f "$here/bench-table.jq" "$results"
} >"$out/bench-table.md"
jq -r -s -L "$here" -f "$here/bench-plot-data.jq" "$results" >"$out/bench-plot-data.txt"
gnuplot -e "data='$out/bench-plot-data.txt'; out='$out'" "$here/plot-benchmarks.gp"
say "done: $results, $out/bench-table.md, $out/bench-*.png"
cat "$out/bench-table.md"
