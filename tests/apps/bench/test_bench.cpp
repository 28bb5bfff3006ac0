// Smoke test of switchboard-bench: each mode runs for about a second, in-process, against an
// in-process server, and must report sensible, self-consistent, non-zero results. No
// assertion is about speed: these runs share the machine with everything else.
#include "bench.hpp"
#include "json_reader.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <netinet/in.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace switchboard;
using namespace switchboard::test;

namespace {

struct BenchRun {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs `switchboard-bench args...` in-process.
BenchRun run_bench(std::vector<std::string> args) {
    args.insert(args.begin(), "switchboard-bench");
    std::vector<const char*> argv;
    for (const auto& arg : args)
        argv.push_back(arg.c_str());
    std::ostringstream out;
    std::ostringstream err;
    BenchRun run;
    run.exit_code = bench::run_bench(static_cast<int>(argv.size()), argv.data(), out, err, false);
    run.out = out.str();
    run.err = err.str();
    return run;
}

/// Runs with --json and returns the flattened record; the run must succeed and print exactly
/// one line holding one JSON object.
std::map<std::string, std::string> run_json(std::vector<std::string> args) {
    args.push_back("--json");
    const BenchRun run = run_bench(args);
    INFO("stderr: " << run.err);
    REQUIRE(run.exit_code == 0);
    REQUIRE(!run.out.empty());
    REQUIRE(run.out.back() == '\n');
    REQUIRE(run.out.find('\n') == run.out.size() - 1);
    return flatten_json(run.out);
}

double number(const std::map<std::string, std::string>& record, const std::string& key) {
    const auto it = record.find(key);
    INFO("key " << key);
    REQUIRE(it != record.end());
    return std::stod(it->second);
}

std::uint64_t count(const std::map<std::string, std::string>& record, const std::string& key) {
    const auto it = record.find(key);
    INFO("key " << key);
    REQUIRE(it != record.end());
    return std::stoull(it->second);
}

std::string connect_to(const TestServer& server) {
    return "127.0.0.1:" + std::to_string(server.port());
}

/// Short runs: about a second each with set-up.
const std::vector<std::string> short_run = {"--warmup", "200ms", "--duration", "500ms"};

std::vector<std::string> with(std::vector<std::string> args,
                              const std::vector<std::string>& more = short_run) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

/// What every throughput-like record must show: messages flowed, and all of them arrived
/// whole (the byte count is exactly messages times the delivered size).
void check_load(const std::map<std::string, std::string>& r, std::uint64_t delivered_size) {
    CHECK(number(r, "results.messages_per_s") > 0);
    CHECK(number(r, "results.mb_per_s") > 0);
    CHECK(count(r, "results.messages") > 0);
    CHECK(number(r, "results.elapsed_s") > 0);
    CHECK(count(r, "results.sent") > 0);
    CHECK(count(r, "results.sent") == count(r, "results.received"));
    CHECK(count(r, "results.messages") <= count(r, "results.received"));
    CHECK(count(r, "results.received_bytes") == count(r, "results.received") * delivered_size);
    CHECK(number(r, "results.bench_cpu") >= 0);
    CHECK(r.count("results.server_cpu") == 1);
    CHECK(r.count("results.bench_cpu_wait") == 1);
    CHECK(r.count("results.server_cpu_wait") == 1);
}

/// A port on 127.0.0.1 that refuses connections: bound, never listening, kept while alive.
class RefusingPort {
public:
    RefusingPort() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        socklen_t length = sizeof address;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
    }
    ~RefusingPort() { ::close(fd_); }
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;
    std::uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

} // namespace

TEST_CASE("throughput: every message sent through the server is counted at a receiver") {
    TestServer server;
    const auto r = run_json(with({"throughput", "--connect", connect_to(server), "--pairs", "2",
                                  "--size", "100", "--server-pid", std::to_string(getpid())}));
    CHECK(r.at("mode") == "throughput");
    CHECK(r.at("target") == connect_to(server));
    CHECK(count(r, "parameters.pairs") == 2);
    CHECK(count(r, "parameters.size") == 100);
    CHECK(count(r, "parameters.window") == 256);
    CHECK(number(r, "parameters.duration_s") == 0.5);
    check_load(r, 100 + 1);
    CHECK(number(r, "results.server_cpu") >= 0);
    // The server routed exactly what the bench sent, and nothing went astray.
    CHECK(server.stats().frames_routed == count(r, "results.sent"));
    CHECK(server.stats().frames_unknown_destination == 0);
}

TEST_CASE("throughput: a window of one message and a multi-threaded bench still add up") {
    TestServer server;
    const auto r = run_json(with({"throughput", "--connect", connect_to(server), "--pairs", "3",
                                  "--window", "1", "--threads", "2", "--size", "0"}));
    CHECK(count(r, "parameters.threads") == 2);
    CHECK(number(r, "results.messages_per_s") > 0);
    CHECK(count(r, "results.sent") == count(r, "results.received"));
    CHECK(count(r, "results.received_bytes") == count(r, "results.received")); // just 0x00s
    CHECK(r.at("results.server_cpu") == "null");
}

TEST_CASE("direct: the same load with no server adds up counting whole frames") {
    const auto r = run_json(with({"direct", "--pairs", "2", "--size", "1KiB"}));
    CHECK(r.at("mode") == "direct");
    CHECK(r.at("target") == "direct");
    check_load(r, 1024 + 5); // the receiver reads the frame as the sender wrote it
    CHECK(r.at("results.server_cpu") == "null");
}

TEST_CASE("latency: round trips through the server have ordered percentiles") {
    TestServer server;
    const auto r = run_json(with(
        {"latency", "--connect", connect_to(server), "--server-pid", std::to_string(getpid())}));
    CHECK(r.at("mode") == "latency");
    CHECK(r.at("parameters.direct") == "false");
    CHECK(count(r, "results.round_trips") > 0);
    CHECK(number(r, "results.round_trips_per_s") > 0);
    CHECK(number(r, "results.min_us") > 0);
    CHECK(number(r, "results.min_us") <= number(r, "results.p50_us"));
    CHECK(number(r, "results.p50_us") <= number(r, "results.p90_us"));
    CHECK(number(r, "results.p90_us") <= number(r, "results.p99_us"));
    CHECK(number(r, "results.p99_us") <= number(r, "results.p999_us"));
    CHECK(number(r, "results.p999_us") <= number(r, "results.max_us"));
    CHECK(number(r, "results.mean_us") >= number(r, "results.min_us"));
    CHECK(number(r, "results.mean_us") <= number(r, "results.max_us"));
    CHECK(number(r, "results.server_cpu") >= 0);
    CHECK(r.count("results.server_cpu_wait") == 1);
    // Two messages per round trip, plus what the warm-up sent.
    CHECK(server.stats().frames_routed >= 2 * count(r, "results.round_trips"));
}

TEST_CASE("latency: --count measures exactly that many round trips and --direct needs no server") {
    const auto r =
        run_json({"latency", "--direct", "--count", "2000", "--warmup", "100ms", "--size", "300"});
    CHECK(r.at("target") == "direct");
    CHECK(r.at("parameters.direct") == "true");
    CHECK(count(r, "parameters.count") == 2000);
    CHECK(count(r, "results.round_trips") == 2000);
    CHECK(number(r, "results.p50_us") <= number(r, "results.p99_us"));
    CHECK(number(r, "results.p99_us") <= number(r, "results.max_us"));
}

TEST_CASE("idle: every connection gets a distinct ID and memory is read from /proc") {
    TestServer server;
    const auto r = run_json({"idle", "--connect", connect_to(server), "--connections", "300",
                             "--concurrency", "16", "--server-pid", std::to_string(getpid())});
    CHECK(r.at("mode") == "idle");
    CHECK(count(r, "results.connections") == 300);
    CHECK(count(r, "results.distinct_ids") == 300);
    CHECK(number(r, "results.connections_per_s") > 0);
    CHECK(count(r, "results.server_rss_before_bytes") > 0);
    CHECK(count(r, "results.server_rss_after_bytes") > 0);
    CHECK(r.at("results.server_rss_per_connection_bytes") != "null");
    CHECK(server.stats().connections_accepted >= 300);
}

TEST_CASE("scaling: the load runs while idle connections stay open") {
    TestServer server;
    const auto r = run_json(
        with({"scaling", "--connect", connect_to(server), "--connections", "200", "--pairs", "2"}));
    CHECK(r.at("mode") == "scaling");
    CHECK(count(r, "parameters.connections") == 200);
    CHECK(count(r, "results.idle.connections") == 200);
    CHECK(count(r, "results.idle.distinct_ids") == 200);
    CHECK(r.at("results.idle.server_rss_per_connection_bytes") == "null");
    check_load(r, 16 + 1);
    // The idle connections were all still open when the load ended.
    CHECK(server.stats().disconnects_error == 0);
}

TEST_CASE("scaling: zero idle connections is the baseline") {
    TestServer server;
    const auto r = run_json(with({"scaling", "--connect", connect_to(server), "--connections", "0"},
                                 {"--warmup", "100ms", "--duration", "300ms"}));
    CHECK(count(r, "results.idle.connections") == 0);
    check_load(r, 16 + 1);
}

TEST_CASE("The summary for people names the mode and its figures") {
    TestServer server;
    const BenchRun run = run_bench(with({"throughput", "--connect", connect_to(server)}));
    INFO("stderr: " << run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(run.out.find("throughput via " + connect_to(server)) != std::string::npos);
    CHECK(run.out.find("msg/s") != std::string::npos);
    CHECK(run.out.find("MB/s") != std::string::npos);
    CHECK(run.err.empty()); // no progress line when it is not wanted
}

TEST_CASE("Bad arguments exit with 2 and say what is wrong but --help exits with 0") {
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    const std::vector<Case> cases = {
        {{}, "no mode given"},
        {{"fastest"}, "unknown mode 'fastest'"},
        {{"latency", "--window", "4"}, "--window does not apply to latency"},
        {{"direct", "--connect", "127.0.0.1:1"}, "--connect does not apply to direct"},
        {{"throughput", "--pairs", "0"}, "--pairs: '0' is not"},
        {{"idle", "--connections", "0"}, "--connections: '0' is not"},
        {{"throughput", "--size", "lots"}, "--size: 'lots' is not"},
        {{"throughput", "--duration", "0"}, "--duration: '0' is not"},
        {{"throughput", "--connect", "localhost"}, "--connect: 'localhost' is not"},
        {{"latency", "--direct", "--connect", "127.0.0.1:1"}, "exclude each other"},
        {{"throughput", "--no-such-option"}, "no-such-option"},
    };
    for (const Case& c : cases) {
        const BenchRun run = run_bench(c.args);
        INFO("args: " << (c.args.empty() ? std::string() : c.args[0]) << " ... -> " << run.err);
        CHECK(run.exit_code == 2);
        CHECK(run.err.find(c.message) != std::string::npos);
        CHECK(run.out.empty());
    }
    const BenchRun help = run_bench({"--help"});
    CHECK(help.exit_code == 0);
    for (const char* option :
         {"--connect", "--pairs", "--size", "--window", "--duration", "--warmup", "--count",
          "--direct", "--connections", "--concurrency", "--server-pid", "--threads", "--json"})
        CHECK(help.out.find(option) != std::string::npos);
}

TEST_CASE("An unreachable server exits with 1 and a clear message") {
    RefusingPort refusing;
    const BenchRun run =
        run_bench({"throughput", "--connect", "127.0.0.1:" + std::to_string(refusing.port())});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("cannot connect to 127.0.0.1:" + std::to_string(refusing.port())) !=
          std::string::npos);
    CHECK(run.out.empty());
}

TEST_CASE("A server at its connection limit makes idle fail with a hint and not hang") {
    Config config = test_config();
    config.max_connections = 20;
    TestServer server(config);
    const BenchRun run =
        run_bench({"idle", "--connect", connect_to(server), "--connections", "40"});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("connection limit") != std::string::npos);
}
