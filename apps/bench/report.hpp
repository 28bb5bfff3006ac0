// Printing a run's results: a short summary for people, or one JSON object for scripts
// ({"mode", "target", "parameters", "results"}; docs/benchmarks.md lists the fields).
#pragma once

#include "options.hpp"
#include "results.hpp"

#include <ostream>
#include <string>

namespace switchboard::bench {

void print_summary(std::ostream& out, const Options& options, const ThroughputResult& result);
void print_summary(std::ostream& out, const Options& options, const LatencyResult& result);
void print_summary(std::ostream& out, const Options& options, const IdleResult& result);
void print_summary(std::ostream& out, const Options& options, const ScalingResult& result);

std::string json_record(const Options& options, const ThroughputResult& result);
std::string json_record(const Options& options, const LatencyResult& result);
std::string json_record(const Options& options, const IdleResult& result);
std::string json_record(const Options& options, const ScalingResult& result);

} // namespace switchboard::bench
