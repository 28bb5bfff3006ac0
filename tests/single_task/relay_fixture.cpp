#include "relay_fixture.hpp"

#include <switchboard/protocol.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace switchboard::test {

void RecordingIo::record(std::string_view what, const single_task::Peer& peer) {
    const auto it = std::find(order.begin(), order.end(), &peer);
    const std::size_t number =
        it == order.end() ? 0 : static_cast<std::size_t>(it - order.begin()) + 1;
    requests_.push_back(std::string(what) + ' ' + std::to_string(number));
}

std::vector<std::string> RecordingIo::take() {
    return std::exchange(requests_, {});
}

bool RecordingIo::made(std::string_view request) const {
    return std::find(requests_.begin(), requests_.end(), request) != requests_.end();
}

Config RelayFixture::small_config() {
    Config config;
    config.high_water = 1024;
    config.low_water = 256;
    config.max_frame = 600;
    config.slow_consumer_timeout = std::chrono::seconds(1);
    config.max_connections = 8;
    return config;
}

RelayFixture::RelayFixture(Config c)
    : config(std::move(c))
    , log(LogLevel::debug,
          [this](LogLevel, std::string_view line) { log_lines.emplace_back(line); })
    , relay(config, single_task::Tuning{}, log, io) {}

RelayFixture::Peer& RelayFixture::connect(std::string remote) {
    peers_.push_back(std::make_unique<Peer>(std::move(remote), config.max_frame, config.high_water,
                                            config.low_water));
    Peer& peer = *peers_.back();
    io.order.push_back(&peer);
    relay.admit(peer, now);
    return peer;
}

single_task::Relay::Input RelayFixture::receive(Peer& peer, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto room = peer.input.prepare(relay.read_chunks());
        const std::size_t n = std::min(room.size(), bytes.size());
        std::memcpy(room.data(), bytes.data(), n);
        peer.input.commit(n);
        bytes.remove_prefix(n);
    }
    return relay.route_input(peer, now);
}

std::string RelayFixture::queued(const Peer& peer) const {
    std::vector<core::ByteView> views(4096);
    const std::size_t count = peer.outbox.gather(views, ~std::size_t{0});
    if (count == views.size())
        throw std::logic_error("queued(): more entries than the test gathers");
    std::string bytes;
    for (std::size_t i = 0; i < count; ++i)
        bytes.append(reinterpret_cast<const char*>(views[i].data), views[i].size);
    return bytes;
}

void RelayFixture::write_all(Peer& peer) {
    relay.wrote(peer, peer.outbox.bytes(), now);
}

void RelayFixture::write(Peer& peer, std::size_t n) {
    relay.wrote(peer, n, now);
}

void RelayFixture::leave(Peer& peer) {
    relay.forget(peer);
}

std::string RelayFixture::frame(PeerId destination, std::string_view payload) {
    return protocol::encode_frame(destination, payload);
}

bool RelayFixture::logged(std::string_view text) const {
    return std::any_of(log_lines.begin(), log_lines.end(), [&](const std::string& line) {
        return line.find(text) != std::string::npos;
    });
}

} // namespace switchboard::test
