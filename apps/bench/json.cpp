#include "json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace switchboard::bench {

std::string json_quote(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escape[8];
                std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
                out += escape;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

JsonObject& JsonObject::add_raw(std::string_view key, std::string_view json) {
    if (!members_.empty())
        members_ += ',';
    members_ += json_quote(key);
    members_ += ':';
    members_ += json;
    return *this;
}

JsonObject& JsonObject::add(std::string_view key, std::string_view value) {
    return add_raw(key, json_quote(value));
}

JsonObject& JsonObject::add(std::string_view key, bool value) {
    return add_raw(key, value ? "true" : "false");
}

JsonObject& JsonObject::add(std::string_view key, double value) {
    if (!std::isfinite(value))
        return add_null(key);
    char text[32];
    const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
    return add_raw(key, std::string_view(text, ec == std::errc{} ? end - text : 0));
}

} // namespace switchboard::bench
