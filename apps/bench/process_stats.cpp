#include "process_stats.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace switchboard::bench {

std::optional<std::uint64_t> resident_bytes(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (!line.starts_with("VmRSS:"))
            continue;
        std::istringstream fields(line.substr(6));
        std::uint64_t kib = 0;
        std::string unit;
        if (fields >> kib >> unit && unit == "kB")
            return kib * 1024;
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<double> cpu_seconds(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text))
        return std::nullopt;
    // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
    const auto close = text.rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream fields(text.substr(close + 1));
    std::string field;
    // After ')': state is field 3; utime and stime are fields 14 and 15.
    for (int i = 3; i < 14; ++i)
        fields >> field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    if (!(fields >> utime >> stime))
        return std::nullopt;
    const long ticks = sysconf(_SC_CLK_TCK);
    return static_cast<double>(utime + stime) / static_cast<double>(ticks > 0 ? ticks : 100);
}

double own_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::optional<double> runqueue_wait_seconds(int pid) {
    std::error_code ec;
    std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", ec);
    if (ec)
        return std::nullopt;
    unsigned long long total_ns = 0;
    bool any = false;
    for (const auto& task : tasks) {
        // "<ns on a CPU> <ns waiting on a runqueue> <time slices>"
        std::ifstream schedstat(task.path() / "schedstat");
        unsigned long long running = 0;
        unsigned long long waiting = 0;
        if (schedstat >> running >> waiting) {
            total_ns += waiting;
            any = true;
        }
    }
    if (!any)
        return std::nullopt;
    return static_cast<double>(total_ns) / 1e9;
}

CpuSample sample_cpu(std::optional<int> server_pid) {
    CpuSample sample;
    sample.when = std::chrono::steady_clock::now();
    sample.bench = own_cpu_seconds();
    sample.bench_wait = runqueue_wait_seconds(getpid());
    if (server_pid) {
        sample.server = cpu_seconds(*server_pid);
        sample.server_wait = runqueue_wait_seconds(*server_pid);
    }
    return sample;
}

CpuUse cpu_between(const CpuSample& from, const CpuSample& to) {
    const double wall = std::chrono::duration<double>(to.when - from.when).count();
    CpuUse use;
    if (wall <= 0)
        return use;
    auto per_second = [wall](const std::optional<double>& a, const std::optional<double>& b) {
        return a && b ? std::optional<double>((*b - *a) / wall) : std::nullopt;
    };
    use.bench = (to.bench - from.bench) / wall;
    use.server = per_second(from.server, to.server);
    use.bench_wait = per_second(from.bench_wait, to.bench_wait);
    use.server_wait = per_second(from.server_wait, to.server_wait);
    return use;
}

} // namespace switchboard::bench
