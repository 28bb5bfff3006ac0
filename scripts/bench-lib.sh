# What the benchmark scripts share (sourced, not run): where the tree and its Release build
# are (BUILD_DIR, default build-release), the binaries in it, and the functions below. The
# caller sets `script` (its name, for messages) before sourcing, and server_core, bench_core
# and out (where results go) before calling them.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly root
readonly here="$root/scripts"
build=${BUILD_DIR:-$root/build-release}
[[ $build == /* ]] || build="$root/$build"
readonly build
server_bin="$build/apps/server/switchboard" # what start_server runs
readonly bench_bin="$build/apps/bench/switchboard-bench"
jobs=${SWITCHBOARD_JOBS:-$(nproc 2>/dev/null || echo 2)} # build parallelism

say() { printf '%s: %s\n' "$script" "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

install_missing() {
    local missing=()
    command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
    command -v jq >/dev/null || missing+=(jq)
    command -v taskset >/dev/null || missing+=(util-linux)
    ((${#missing[@]} == 0)) && return 0
    say "installing ${missing[*]}"
    local as_root=()
    ((EUID == 0)) || as_root=(sudo)
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

build_release() {
    local generator=()
    [[ -f $build/CMakeCache.txt ]] || generator=(-G Ninja)
    say "building Release in $build"
    cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DSWITCHBOARD_BUILD_TESTS=OFF -DSWITCHBOARD_BUILD_TOOLS=ON -DSWITCHBOARD_SANITIZE= \
        >/dev/null
    cmake --build "$build" --parallel "$jobs" --target switchboard_server switchboard_bench
}

# prepare_run FILE: creates $out (made absolute), installs what is missing, builds Release, and
# starts $out/FILE empty as $results, the JSONL file that bench() appends to.
prepare_run() {
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    results="$out/$1"
    install_missing
    build_release
    : >"$results"
}

server_pid=""
server_port=""
stop_server() {
    [[ -n $server_pid ]] || return 0
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

# start_server NAME [SERVER ARGS...]: a fresh server on core $server_core, on a free port;
# sets server_pid and server_port. Its log goes to $build/bench-logs/server-NAME.log.
start_server() {
    stop_server
    local log="$build/bench-logs/server-$1.log"
    shift
    mkdir -p "$build/bench-logs"
    taskset -c "$server_core" "$server_bin" --listen 127.0.0.1:0 --max-connections 20000 "$@" \
        2>"$log" &
    server_pid=$!
    local waited=0
    # The server logs its port once it listens; poll its log (a start-up, not a test).
    until server_port=$(grep -o 'listening on 127\.0\.0\.1:[0-9]*' "$log" | grep -o '[0-9]*$'); do
        kill -0 "$server_pid" 2>/dev/null || die "the server did not start: $(cat "$log")"
        ((waited++ < 100)) || die "the server did not report its port within 10 s"
        sleep 0.1
    done
}

# bench [--tag KEY=VALUE]... ARGS...: one run on core $bench_core; its JSON record, with the
# tags added as fields, is appended to $results.
bench() {
    local tags='{}'
    while [[ ${1:-} == --tag ]]; do
        tags=$(jq -c --arg k "${2%%=*}" --arg v "${2#*=}" '. + {($k): $v}' <<<"$tags")
        shift 2
    done
    say "switchboard-bench $*"
    taskset -c "$bench_core" "$bench_bin" "$@" --json | jq -c --argjson tags "$tags" '. + $tags' \
        >>"$results"
}
