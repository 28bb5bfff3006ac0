// A strict little JSON reader for the tests: checks that a text is one well-formed JSON object
// and flattens it into "results.idle.connections" -> "10000" (strings without their quotes).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace switchboard::test {

/// Throws std::runtime_error naming the offset when `text` is not exactly one JSON object
/// (surrounding whitespace allowed). Arrays are not supported: the bench prints none.
std::map<std::string, std::string> flatten_json(std::string_view text);

} // namespace switchboard::test
