#include "report.hpp"

#include "json.hpp"
#include "progress.hpp"

#include <switchboard/version.hpp>

#include <chrono>
#include <cstdio>

namespace switchboard::bench {

namespace {

double seconds(std::chrono::milliseconds duration) {
    return std::chrono::duration<double>(duration).count();
}

/// 17060512 -> "17,060,512".
std::string grouped(std::uint64_t value) {
    const std::string digits = std::to_string(value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string plural(std::uint64_t n, const char* word) {
    return grouped(n) + " " + word + (n == 1 ? "" : "s");
}

JsonObject header(const Options& options, const JsonObject& parameters) {
    JsonObject record;
    record.add("mode", to_string(options.mode))
        .add("target", options.target())
        .add("version", version)
        .add("parameters", parameters);
    return record;
}

JsonObject load_parameters(const Options& options) {
    JsonObject p;
    p.add("pairs", options.pairs)
        .add("size", options.size)
        .add("window", options.window)
        .add("warmup_s", seconds(options.warmup))
        .add("duration_s", seconds(options.duration))
        .add("threads", options.threads);
    if (options.server_pid)
        p.add("server_pid", *options.server_pid);
    return p;
}

JsonObject idle_parameters(const Options& options) {
    JsonObject p;
    p.add("connections", options.connections)
        .add("concurrency", options.concurrency)
        .add("threads", options.threads);
    if (options.server_pid)
        p.add("server_pid", *options.server_pid);
    return p;
}

template <typename T>
JsonObject& add_optional(JsonObject& object, std::string_view key, const std::optional<T>& v) {
    return v ? object.add(key, *v) : object.add_null(key);
}

void add_cpu(JsonObject& o, const CpuUse& cpu) {
    o.add("bench_cpu", cpu.bench);
    add_optional(o, "server_cpu", cpu.server);
    add_optional(o, "bench_cpu_wait", cpu.bench_wait);
    add_optional(o, "server_cpu_wait", cpu.server_wait);
}

void print_cpu(std::ostream& out, const CpuUse& cpu) {
    auto waited = [](const std::optional<double>& wait) {
        return wait ? " (waited for a CPU " + fixed(*wait * 100, 0) + " % of the time)"
                    : std::string();
    };
    out << "  CPU over the measured interval: bench " << fixed(cpu.bench, 2) << " cores"
        << waited(cpu.bench_wait);
    if (cpu.server)
        out << ", server " << fixed(*cpu.server, 2) << " cores" << waited(cpu.server_wait);
    out << '\n';
}

JsonObject throughput_fields(const ThroughputResult& r) {
    JsonObject o;
    o.add("messages_per_s", r.messages_per_s)
        .add("mb_per_s", r.mb_per_s)
        .add("messages", r.messages)
        .add("elapsed_s", r.elapsed_s)
        .add("sent", r.sent)
        .add("received", r.received)
        .add("received_bytes", r.received_bytes);
    add_cpu(o, r.cpu);
    return o;
}

JsonObject idle_fields(const IdleResult& r) {
    JsonObject o;
    o.add("connections", r.connections)
        .add("elapsed_s", r.elapsed_s)
        .add("connections_per_s", r.connections_per_s)
        .add("distinct_ids", r.distinct_ids);
    add_optional(o, "server_rss_before_bytes", r.server_rss_before);
    add_optional(o, "server_rss_after_bytes", r.server_rss_after);
    add_optional(o, "server_rss_per_connection_bytes", r.server_rss_per_connection);
    return o;
}

std::string load_description(const Options& options) {
    return plural(options.pairs, "pair") + ", " + grouped(options.size) + " B payloads, window " +
           grouped(options.window) + ", measured " + fixed(seconds(options.duration), 1) +
           " s after " + fixed(seconds(options.warmup), 1) + " s warm-up, " +
           plural(options.threads, "thread");
}

void print_load(std::ostream& out, const ThroughputResult& r) {
    out << "  " << human_number(r.messages_per_s) << " msg/s  " << fixed(r.mb_per_s, 1)
        << " MB/s of payload, at the receivers (" << grouped(r.messages) << " messages in "
        << fixed(r.elapsed_s, 2) << " s)\n";
    out << "  all " << grouped(r.sent) << " messages sent were received, "
        << grouped(r.received_bytes) << " bytes\n";
    print_cpu(out, r.cpu);
}

void print_idle(std::ostream& out, const IdleResult& r) {
    out << "  " << grouped(r.connections) << " connections opened in " << fixed(r.elapsed_s, 2)
        << " s: " << human_number(r.connections_per_s) << " connections/s; "
        << grouped(r.distinct_ids) << " distinct IDs\n";
    if (r.server_rss_per_connection)
        out << "  server resident memory " << fixed(*r.server_rss_before / 1048576.0, 1)
            << " MiB -> " << fixed(*r.server_rss_after / 1048576.0, 1)
            << " MiB: " << fixed(*r.server_rss_per_connection, 0) << " bytes per connection\n";
}

} // namespace

void print_summary(std::ostream& out, const Options& options, const ThroughputResult& result) {
    out << to_string(options.mode) << " "
        << (options.uses_server() ? "via " + options.target() : std::string("(no server)")) << ": "
        << load_description(options) << '\n';
    print_load(out, result);
}

void print_summary(std::ostream& out, const Options& options, const LatencyResult& r) {
    out << "latency " << (options.direct ? "(no server)" : "via " + options.target()) << ": "
        << grouped(options.size) << " B payloads, one in flight, "
        << (options.count ? plural(*options.count, "round trip")
                          : "measured " + fixed(seconds(options.duration), 1) + " s")
        << " after " << fixed(seconds(options.warmup), 1) << " s warm-up\n";
    out << "  " << grouped(r.round_trips) << " round trips in " << fixed(r.elapsed_s, 2) << " s ("
        << human_number(r.round_trips_per_s) << " per s)\n";
    out << "  round trip, us: p50 " << fixed(r.p50_us, 1) << "  p90 " << fixed(r.p90_us, 1)
        << "  p99 " << fixed(r.p99_us, 1) << "  p99.9 " << fixed(r.p999_us, 1) << "  max "
        << fixed(r.max_us, 1) << "  (min " << fixed(r.min_us, 1) << ", mean " << fixed(r.mean_us, 1)
        << ")\n";
    print_cpu(out, r.cpu);
}

void print_summary(std::ostream& out, const Options& options, const IdleResult& result) {
    out << "idle via " << options.target() << ": " << plural(options.connections, "connection")
        << ", " << grouped(options.concurrency) << " opening at a time\n";
    print_idle(out, result);
}

void print_summary(std::ostream& out, const Options& options, const ScalingResult& result) {
    out << "scaling via " << options.target() << ": "
        << plural(options.connections, "idle connection") << " held open, then "
        << load_description(options) << '\n';
    print_idle(out, result.idle);
    print_load(out, result.load);
}

std::string json_record(const Options& options, const ThroughputResult& result) {
    return header(options, load_parameters(options))
        .add("results", throughput_fields(result))
        .str();
}

std::string json_record(const Options& options, const LatencyResult& r) {
    JsonObject p;
    p.add("size", options.size).add("warmup_s", seconds(options.warmup));
    if (options.count)
        p.add("count", *options.count);
    else
        p.add("duration_s", seconds(options.duration));
    p.add("direct", options.direct);
    if (options.server_pid)
        p.add("server_pid", *options.server_pid);
    JsonObject o;
    o.add("round_trips", r.round_trips)
        .add("elapsed_s", r.elapsed_s)
        .add("round_trips_per_s", r.round_trips_per_s)
        .add("min_us", r.min_us)
        .add("mean_us", r.mean_us)
        .add("p50_us", r.p50_us)
        .add("p90_us", r.p90_us)
        .add("p99_us", r.p99_us)
        .add("p999_us", r.p999_us)
        .add("max_us", r.max_us);
    add_cpu(o, r.cpu);
    return header(options, p).add("results", o).str();
}

std::string json_record(const Options& options, const IdleResult& result) {
    return header(options, idle_parameters(options)).add("results", idle_fields(result)).str();
}

std::string json_record(const Options& options, const ScalingResult& result) {
    JsonObject p = load_parameters(options);
    p.add("connections", options.connections).add("concurrency", options.concurrency);
    JsonObject o = throughput_fields(result.load);
    o.add("idle", idle_fields(result.idle));
    return header(options, p).add("results", o).str();
}

} // namespace switchboard::bench
