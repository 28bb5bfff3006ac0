#!/usr/bin/env bash
# The table and plot of docs/patterns.md in one command: builds Release, then runs the same
# switchboard-bench sweep against every server model (--model), the server pinned to one core
# and the bench to another, and writes the JSON records, a markdown table and the plots.
#
#   scripts/run-model-sweep.sh [--out DIR] [--models "A B ..."] [--quick]
#
#   --out DIR       where results go (default build-release/model-results): model-results.jsonl
#                   (one JSON object per run, with a "model" field), model-table.md,
#                   model-*.png; server logs go to build-release/bench-logs
#   --models LIST   the models to run (default "single-task mutex channels race reactor")
#   --quick         1 s runs and 1,000 idle connections: checks the script, not the machine
#
# Per model: throughput at 16, 128 and 1024 bytes with 1 and 4 pairs, round-trip latency,
# resident memory per idle connection (10,000, fresh server) and throughput of 4 pairs of
# 16 B while those 10,000 stay open; and once, the same throughput and latency with no
# server (direct). The multi-threaded models run with their default thread count, one per
# core, on every core (SERVER_CORES, default "0-1"): pinning a thread pool to one core would
# measure nothing but the pool's overhead. The one-thread models are pinned to SERVER_CORE
# (default 0). The bench runs on BENCH_CORE (default 1) in every case, so with the pools it
# shares a core with the server: the table says so.
#
# Environment: SERVER_CORE, SERVER_CORES, BENCH_CORE, DURATION (3s), WARMUP (1s), BUILD_DIR
# (default build-release), SWITCHBOARD_JOBS. Needs gnuplot-nox and jq (installed if missing).
set -euo pipefail

readonly script=run-model-sweep
# shellcheck source=bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
trap stop_server EXIT

out="$build/model-results"
models="single-task mutex channels race reactor"
quick=0
while (($# > 0)); do
    case $1 in
    --out)
        out=$2
        shift 2
        ;;
    --models)
        models=$2
        shift 2
        ;;
    --quick)
        quick=1
        shift
        ;;
    -h | --help)
        sed -n '2,25s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        die "unknown argument '$1' (try --help)"
        ;;
    esac
done

one_core=${SERVER_CORE:-0}
all_cores=${SERVER_CORES:-0-1}
bench_core=${BENCH_CORE:-1}
duration=${DURATION:-3s}
warmup=${WARMUP:-1s}
idle=10000
if ((quick)); then
    duration=1s
    warmup=200ms
    idle=1000
fi

prepare_run model-results.jsonl
load=(--duration "$duration" --warmup "$warmup")

for model in $models; do
    case $model in
    mutex | channels) server_core=$all_cores ;;
    *) server_core=$one_core ;;
    esac
    tag=(--tag "model=$model" --tag "server_cores=$server_core")
    start_server "$model-load" --model "$model"
    for size in 16 128 1024; do
        for pairs in 1 4; do
            bench "${tag[@]}" throughput --connect "127.0.0.1:$server_port" \
                --server-pid "$server_pid" --pairs "$pairs" --size "$size" "${load[@]}"
        done
    done
    bench "${tag[@]}" latency --connect "127.0.0.1:$server_port" --server-pid "$server_pid" \
        "${load[@]}"
    # A fresh server: memory a server freed is not always returned to the system.
    start_server "$model-idle" --model "$model"
    bench "${tag[@]}" scaling --connect "127.0.0.1:$server_port" --server-pid "$server_pid" \
        --connections "$idle" --pairs 4 --size 16 "${load[@]}"
done
stop_server
for size in 16 128 1024; do
    for pairs in 1 4; do
        bench --tag model=direct direct --pairs "$pairs" --size "$size" "${load[@]}"
    done
done
bench --tag model=direct latency --direct "${load[@]}"

say "table and plots"
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo |
        cut -d: -f2- | sed 's/^ *//')), Linux $(uname -r); bench on core $bench_core;" \
        "one-thread models on core $one_core, thread pools on cores $all_cores;" \
        "$duration after $warmup warm-up; $idle idle connections."
    echo
    jq -r -s -f "$here/model-table.jq" "$results"
} >"$out/model-table.md"
jq -r -s -f "$here/model-plot-data.jq" "$results" >"$out/model-plot-data.txt"
gnuplot -e "data='$out/model-plot-data.txt'; out='$out'" "$here/plot-models.gp"
say "done: $results, $out/model-table.md, $out/model-*.png"
cat "$out/model-table.md"
