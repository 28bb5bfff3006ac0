#include "json_reader.hpp"

#include <cctype>
#include <stdexcept>

namespace switchboard::test {

namespace {

class Reader {
public:
    explicit Reader(std::string_view text)
        : text_(text) {}

    std::map<std::string, std::string> object_at_top() {
        skip_space();
        object("");
        skip_space();
        if (pos_ != text_.size())
            fail("text after the object");
        return values_;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("bad JSON at offset " + std::to_string(pos_) + ": " + what);
    }

    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
    }

    void expect(char c) {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != c)
            fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    std::string string() {
        expect('"');
        std::string out;
        while (pos_ < text_.size() && text_[pos_] != '"') {
            if (text_[pos_] == '\\') {
                if (++pos_ >= text_.size())
                    break;
                if (text_[pos_] == 'u') {
                    pos_ += 4; // \uXXXX: kept out of the value; the bench escapes only controls
                    out += '?';
                } else {
                    out += text_[pos_] == 'n' ? '\n' : text_[pos_] == 't' ? '\t' : text_[pos_];
                }
                ++pos_;
                continue;
            }
            out += text_[pos_++];
        }
        if (pos_ >= text_.size())
            fail("unterminated string");
        ++pos_;
        return out;
    }

    void object(const std::string& prefix) {
        expect('{');
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == '}') {
            ++pos_;
            return;
        }
        for (;;) {
            const std::string key = prefix + string();
            expect(':');
            value(key);
            skip_space();
            if (pos_ < text_.size() && text_[pos_] == ',') {
                ++pos_;
                continue;
            }
            expect('}');
            return;
        }
    }

    void value(const std::string& key) {
        skip_space();
        if (pos_ >= text_.size())
            fail("missing value");
        const char c = text_[pos_];
        if (c == '{')
            return object(key + ".");
        if (c == '"') {
            values_[key] = string();
            return;
        }
        for (std::string_view word : {"true", "false", "null"}) {
            if (text_.substr(pos_, word.size()) == word) {
                pos_ += word.size();
                values_[key] = std::string(word);
                return;
            }
        }
        // A number: -?digits[.digits][e[+-]digits]
        const std::size_t start = pos_;
        if (text_[pos_] == '-')
            ++pos_;
        auto digits = [&] {
            const std::size_t from = pos_;
            while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))
                ++pos_;
            if (pos_ == from)
                fail("expected a digit");
        };
        digits();
        if (pos_ < text_.size() && text_[pos_] == '.') {
            ++pos_;
            digits();
        }
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
                ++pos_;
            digits();
        }
        values_[key] = std::string(text_.substr(start, pos_ - start));
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::map<std::string, std::string> values_;
};

} // namespace

std::map<std::string, std::string> flatten_json(std::string_view text) {
    return Reader(text).object_at_top();
}

} // namespace switchboard::test
