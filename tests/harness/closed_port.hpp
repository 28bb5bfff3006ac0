// A loopback port that refuses connections: bound (so nobody else takes it) but not listening.
#pragma once

#include <cstdint>

namespace switchboard::test {

class ClosedPort {
public:
    ClosedPort();
    ~ClosedPort();
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;

    std::uint16_t port() const noexcept { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

} // namespace switchboard::test
