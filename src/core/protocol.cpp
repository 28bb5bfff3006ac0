#include <switchboard/protocol.hpp>

#include <algorithm>
#include <cstring>

namespace switchboard {

namespace protocol {

bool is_valid_payload(std::span<const std::byte> payload) noexcept {
    return std::find(payload.begin(), payload.end(), terminator) == payload.end();
}

std::string encode_frame(PeerId destination, std::string_view payload) {
    std::string out(id_size + payload.size() + 1, '\0');
    store_u32(std::span<std::byte, 4>(reinterpret_cast<std::byte*>(out.data()), 4), destination);
    std::memcpy(out.data() + id_size, payload.data(), payload.size());
    return out;
}

std::string encode_error_notice(std::string_view reason) {
    std::string out;
    out.reserve(reason.size() + 9);
    out.push_back(static_cast<char>(error_notice_marker));
    out.append("Error: ");
    out.append(reason);
    out.push_back('\0');
    return out;
}

} // namespace protocol

} // namespace switchboard
