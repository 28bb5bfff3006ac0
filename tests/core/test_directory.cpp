// Directory: the registry of live IDs, with random IDs that are never reserved or reused while
// held.
#include "core/directory.hpp"

#include <switchboard/protocol.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <vector>

using switchboard::PeerId;
using switchboard::core::Directory;

namespace {

struct Peer {
    int index = 0;
};

} // namespace

TEST_CASE("An added peer is found under the ID it was given") {
    Directory<Peer> directory(1);
    Peer alice{1}, bob{2};
    CHECK(directory.empty());

    const PeerId a = directory.add(&alice);
    const PeerId b = directory.add(&bob);

    CHECK(a != b);
    CHECK(directory.find(a) == &alice);
    CHECK(directory.find(b) == &bob);
    CHECK(directory.size() == 2u);
    CHECK_FALSE(directory.empty());
}

TEST_CASE("IDs are never reserved and are unique over 100k adds") {
    constexpr std::size_t count = 100'000;
    std::vector<Peer> peers(count);
    Directory<Peer> directory(20240601);
    std::unordered_set<PeerId> ids;
    ids.reserve(count);
    bool none_reserved = true;
    for (std::size_t i = 0; i < count; ++i) {
        peers[i].index = int(i);
        const PeerId id = directory.add(&peers[i]);
        none_reserved = none_reserved && id != 0u && id != 0xFFFFFFFFu;
        ids.insert(id);
    }
    CHECK(none_reserved);
    CHECK(ids.size() == count);
    CHECK(directory.size() == count);
}

TEST_CASE("Every one of many peers is found under its own ID") {
    constexpr std::size_t count = 20'000;
    std::vector<Peer> peers(count);
    Directory<Peer> directory(77);
    std::vector<PeerId> ids(count);
    for (std::size_t i = 0; i < count; ++i)
        ids[i] = directory.add(&peers[i]);
    bool all_found = true;
    for (std::size_t i = 0; i < count; ++i)
        all_found = all_found && directory.find(ids[i]) == &peers[i];
    CHECK(all_found);
}

TEST_CASE("Reserved and unknown IDs are found by nobody") {
    Directory<Peer> directory(3);
    Peer peer;
    const PeerId id = directory.add(&peer);
    CHECK(directory.find(0u) == nullptr);
    CHECK(directory.find(0xFFFFFFFFu) == nullptr);
    CHECK(directory.find(id ^ 1u) == nullptr);
}

TEST_CASE("remove frees an ID and reports IDs that were not registered") {
    Directory<Peer> directory(5);
    Peer a, b;
    const PeerId ida = directory.add(&a);
    const PeerId idb = directory.add(&b);

    CHECK(directory.remove(ida));
    CHECK(directory.find(ida) == nullptr);
    CHECK(directory.find(idb) == &b);
    CHECK(directory.size() == 1u);
    CHECK_FALSE(directory.remove(ida)); // already gone
    CHECK_FALSE(directory.remove(0u));
    CHECK_FALSE(directory.remove(0xFFFFFFFFu));
    CHECK(directory.remove(idb));
    CHECK(directory.empty());
}

TEST_CASE("IDs stay unique while peers come and go") {
    std::mt19937 rng(4242);
    Directory<Peer> directory(4242);
    std::vector<Peer> peers(5000);
    std::unordered_map<PeerId, Peer*> model;
    std::vector<PeerId> live;
    bool consistent = true;
    for (int step = 0; step < 50'000 && consistent; ++step) {
        if (live.empty() || rng() % 3 != 0) {
            Peer* peer = &peers[std::size_t(step) % peers.size()];
            const PeerId id = directory.add(peer);
            // A fresh ID is not held by anyone alive and not reserved.
            consistent = switchboard::protocol::is_assignable(id) && model.emplace(id, peer).second;
            live.push_back(id);
        } else {
            const std::size_t at = rng() % live.size();
            const PeerId id = live[at];
            live[at] = live.back();
            live.pop_back();
            consistent = directory.remove(id) && model.erase(id) == 1;
            consistent = consistent && directory.find(id) == nullptr;
        }
        consistent = consistent && directory.size() == model.size();
    }
    CHECK(consistent);
    bool all_found = true;
    for (const auto& [id, peer] : model)
        all_found = all_found && directory.find(id) == peer;
    CHECK(all_found);
}

TEST_CASE("The same seed draws the same IDs and another seed draws others") {
    Peer peer;
    Directory<Peer> first(123), second(123), other(124);
    std::vector<PeerId> a, b, c;
    for (int i = 0; i < 100; ++i) {
        a.push_back(first.add(&peer));
        b.push_back(second.add(&peer));
        c.push_back(other.add(&peer));
    }
    CHECK(a == b);
    CHECK(a != c);
}

TEST_CASE("Unseeded directories draw unpredictable IDs") {
    Peer peer;
    Directory<Peer> first, second;
    std::vector<PeerId> a, b;
    for (int i = 0; i < 4; ++i) {
        a.push_back(first.add(&peer));
        b.push_back(second.add(&peer));
    }
    CHECK(a != b); // equal only with probability 2^-128
}

// ----------------------------------------------------------------------------- IdTable

TEST_CASE("The ID table agrees with std::unordered_map through random inserts and erases") {
    using switchboard::core::IdTable;
    // A narrow key range makes long probe runs and wrap-arounds, the cases deletion by
    // backward shift has to get right; a wide one exercises growth.
    const PeerId key_range = GENERATE(PeerId(64), PeerId(5000), PeerId(0xFFFFFFFE));
    std::mt19937 rng(key_range);
    std::uniform_int_distribution<PeerId> key(1, key_range);
    std::vector<Peer> values(16);
    IdTable<Peer> table;
    std::unordered_map<PeerId, Peer*> model;
    bool agrees = true;
    for (int step = 0; step < 50'000 && agrees; ++step) {
        const PeerId id = key(rng);
        Peer* value = &values[std::size_t(step) % values.size()];
        switch (rng() % 3) {
        case 0:
            agrees = table.insert(id, value) == model.try_emplace(id, value).second;
            break;
        case 1:
            agrees = table.erase(id) == (model.erase(id) != 0);
            break;
        default: {
            const auto it = model.find(id);
            agrees = table.find(id) == (it == model.end() ? nullptr : it->second);
        }
        }
        agrees = agrees && table.size() == model.size();
        if (step % 5000 == 0)
            for (const auto& [k, v] : model)
                agrees = agrees && table.find(k) == v;
    }
    CHECK(agrees);
    CHECK(table.find(0) == nullptr);
    CHECK_FALSE(table.erase(0));
}
