// Just enough JSON output for `--json`: one flat-or-nested object, built member by member and
// printed on one line. Strings are escaped; non-finite numbers become null.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::bench {

class JsonObject {
public:
    JsonObject& add(std::string_view key, std::string_view value);
    JsonObject& add(std::string_view key, const char* value) {
        return add(key, std::string_view(value));
    }
    JsonObject& add(std::string_view key, bool value);
    JsonObject& add(std::string_view key, double value);
    template <std::integral T>
    requires(!std::same_as<T, bool>) JsonObject& add(std::string_view key, T value) {
        return add_raw(key, std::to_string(value));
    }
    JsonObject& add(std::string_view key, const JsonObject& value) {
        return add_raw(key, value.str());
    }
    /// `key: null`.
    JsonObject& add_null(std::string_view key) { return add_raw(key, "null"); }

    /// The object as one line of JSON.
    std::string str() const { return "{" + members_ + "}"; }

private:
    JsonObject& add_raw(std::string_view key, std::string_view json);

    std::string members_;
};

/// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

} // namespace switchboard::bench
