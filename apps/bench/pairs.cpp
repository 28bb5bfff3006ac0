#include "pairs.hpp"

#include <optional>

namespace switchboard::bench {

namespace asio = boost::asio;

namespace {

asio::awaitable<void> connect_pair(tcp::endpoint server, std::string name,
                                   std::optional<PairLink>& out) {
    // The receiver first: its ID is the sender's destination.
    Client receiver = co_await connect_client(server, name);
    Client sender = co_await connect_client(server, name);
    out.emplace(PairLink{std::move(sender.socket), std::move(receiver.socket), receiver.id});
}

} // namespace

std::vector<PairLink> connect_server_pairs(Workers& workers, std::size_t count,
                                           const tcp::endpoint& server, const std::string& name) {
    std::vector<std::optional<PairLink>> connected(count);
    Failure failure;
    for (std::size_t i = 0; i < count; ++i)
        workers.spawn(i, connect_pair(server, name, connected[i]), failure);
    workers.run(failure);
    failure.rethrow_if_failed();
    std::vector<PairLink> pairs;
    for (auto& pair : connected)
        pairs.push_back(std::move(*pair));
    return pairs;
}

std::vector<PairLink> make_direct_pairs(Workers& workers, std::size_t count) {
    tcp::acceptor listener = loopback_listener(workers.context(0));
    std::vector<PairLink> pairs;
    for (std::size_t i = 0; i < count; ++i) {
        auto [sender, receiver] = loopback_pair(listener, workers.context(i), workers.context(i));
        pairs.push_back(PairLink{std::move(sender), std::move(receiver), direct_destination});
    }
    return pairs;
}

} // namespace switchboard::bench
