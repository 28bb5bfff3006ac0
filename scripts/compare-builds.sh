#!/usr/bin/env bash
# Compares this tree's server with another build of it (a baseline: an earlier commit, say) in
# one run, so that a change can be judged against noise: the two servers take turns, round
# after round, with the no-server ceiling (`direct`) measured in every round between them, and
# every figure is reported as a ratio to the direct of its own round.
#
#   scripts/compare-builds.sh --baseline SERVER_BINARY [--rounds N] [--out DIR]
#
#   --baseline BIN   the other `switchboard` binary (its own Release build)
#   --rounds N       rounds of the whole comparison (default 3); tables use the medians
#   --out DIR        where results go (default build-release/compare-results):
#                    compare-results.jsonl and compare-table.md
#
# Each round: throughput of 1 and 4 pairs at 16, 128 and 1024 bytes and the round trip, for
# the baseline and for this tree (with the bench of this tree for both), and direct. Pinned
# as run-benchmarks.sh pins: server on SERVER_CORE (0), bench on BENCH_CORE (1). Environment
# as for run-benchmarks.sh: DURATION (3s), WARMUP (1s), BUILD_DIR, SWITCHBOARD_JOBS.
set -euo pipefail

readonly script=compare-builds
# shellcheck source=bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
readonly current_bin=$server_bin
trap stop_server EXIT

baseline_bin=""
rounds=3
out="$build/compare-results"
while (($# > 0)); do
    case $1 in
    --baseline)
        baseline_bin=$2
        shift 2
        ;;
    --rounds)
        rounds=$2
        shift 2
        ;;
    --out)
        out=$2
        shift 2
        ;;
    -h | --help)
        sed -n '2,17s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        die "unknown argument '$1' (try --help)"
        ;;
    esac
done
[[ -n $baseline_bin ]] || die "--baseline SERVER_BINARY is required (try --help)"
[[ -x $baseline_bin ]] || die "--baseline: '$baseline_bin' is not an executable"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds takes a whole number above 0"

server_core=${SERVER_CORE:-0}
bench_core=${BENCH_CORE:-1}
duration=${DURATION:-3s}
warmup=${WARMUP:-1s}

prepare_run compare-results.jsonl
load=(--duration "$duration" --warmup "$warmup")

measure() { # measure BUILD_NAME ROUND: the load against the server that is running
    local tag=(--tag "build=$1" --tag "round=$2")
    for size in 16 128 1024; do
        for pairs in 1 4; do
            bench "${tag[@]}" throughput --connect "127.0.0.1:$server_port" \
                --server-pid "$server_pid" --pairs "$pairs" --size "$size" "${load[@]}"
        done
    done
    bench "${tag[@]}" latency --connect "127.0.0.1:$server_port" --server-pid "$server_pid" \
        "${load[@]}"
}

for ((round = 1; round <= rounds; round++)); do
    # The order alternates, so that neither build always runs first in a round.
    order=(baseline current)
    ((round % 2 == 0)) && order=(current baseline)
    for name in "${order[@]}"; do
        server_bin=$baseline_bin
        [[ $name == current ]] && server_bin=$current_bin
        start_server "compare-$name-$round"
        measure "$name" "$round"
        stop_server
    done
    for size in 16 128 1024; do
        for pairs in 1 4; do
            bench --tag build=direct --tag "round=$round" direct --pairs "$pairs" --size "$size" \
                "${load[@]}"
        done
    done
    bench --tag build=direct --tag "round=$round" latency --direct "${load[@]}"
done

say "table"
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs, Linux $(uname -r); server on core" \
        "$server_core, bench on core $bench_core; $duration after $warmup warm-up;" \
        "$rounds round(s), medians. Baseline: $baseline_bin."
    echo
    jq -r -s -f "$here/compare-table.jq" "$results"
} >"$out/compare-table.md"
say "done: $results, $out/compare-table.md"
cat "$out/compare-table.md"
