#include "tools/fake_ceipal/server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <string_view>
#include <thread>

namespace ceipal::fake {
namespace {

// cpp-httplib gives a handler no access to its socket, so to drop a
// connection we find the descriptor by its two port numbers and shut it
// down; the library then fails to write and closes it.
void DropConnection(int local_port, int remote_port) {
  constexpr int kMaxDescriptor = 4096;
  for (int fd = 0; fd < kMaxDescriptor; ++fd) {
    sockaddr_storage local{}, peer{};
    socklen_t local_size = sizeof local, peer_size = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size)) {
      continue;
    }
    auto port = [](const sockaddr_storage& address) {
      if (address.ss_family == AF_INET) {
        return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
      }
      if (address.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
      }
      return uint16_t{0};
    };
    if (port(local) == local_port && port(peer) == remote_port) {
      shutdown(fd, SHUT_RDWR);
      return;
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a query component, '+' being a space.
std::string DecodeComponent(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool room = i + 2 < text.size();
    int high = room ? HexValue(text[i + 1]) : -1;
    int low = room ? HexValue(text[i + 2]) : -1;
    if (text[i] == '%' && high >= 0 && low >= 0) {
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// The query of a request target, split at the first '=' of each part so a
// value may carry '=' unescaped, as base64-like ids often do in hand-built
// URLs. (cpp-httplib's own parser drops what follows a second '='.)
std::multimap<std::string, std::string> ParseQuery(std::string_view target) {
  std::multimap<std::string, std::string> params;
  size_t question = target.find('?');
  if (question == std::string_view::npos) return params;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t equals = part.find('=');
    std::string_view name = part.substr(0, equals);
    std::string_view value =
        equals == std::string_view::npos ? "" : part.substr(equals + 1);
    params.emplace(DecodeComponent(name), DecodeComponent(value));
  }
  return params;
}

HttpRequest Convert(const httplib::Request& req) {
  HttpRequest request;
  request.method = req.method;
  request.path = req.path;
  request.target = req.target;
  request.body = req.body;
  request.params = ParseQuery(req.target);
  for (const auto& [name, value] : req.headers) {
    std::string lower;
    for (char c : name) {
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    request.headers.emplace(std::move(lower), value);
  }
  return request;
}

}  // namespace

FakeCeipalServer::FakeCeipalServer(const Config& config)
    : config_(config),
      sandbox_(config),
      http_(std::make_unique<httplib::Server>()) {
  auto answer = [this](const httplib::Request& req, httplib::Response& res) {
    HttpRequest request = Convert(req);
    HttpReply reply;
    {
      std::lock_guard lock(mutex_);
      reply = sandbox_.Handle(request);
    }

    // Latency is served outside the lock, so slow answers overlap.
    if (reply.delay_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(reply.delay_ms));
    }
    {
      std::lock_guard lock(mutex_);
      sandbox_.Done(reply);
    }
    if (reply.drop_connection) {
      DropConnection(req.local_port, req.remote_port);
      return;
    }
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) {
      res.set_header(name.c_str(), value);
    }
    res.set_content(reply.body, "application/json");
  };
  http_->Get(".*", answer);
  http_->Post(".*", answer);
  // A client keeps its connection, as against a real API behind a proxy;
  // cpp-httplib would close it after five requests.
  http_->set_keep_alive_max_count(100000);
  // Headers and body leave in separate writes; without TCP_NODELAY, Nagle
  // and the client's delayed ACK hold every answer back by ~40 ms.
  http_->set_tcp_nodelay(true);

  if (config_.verbose) {
    http_->set_logger(
        [](const httplib::Request& req, const httplib::Response& res) {
          // Paths and queries only: tokens travel in headers and stay unlogged.
          fmt::print(stderr, "{} {} {}\n", req.method, req.target, res.status);
        });
  }
}

FakeCeipalServer::~FakeCeipalServer() = default;

Result<int> FakeCeipalServer::Bind() {
  int port =
      config_.port == 0
          ? http_->bind_to_any_port(config_.host)
          : (http_->bind_to_port(config_.host, config_.port) ? config_.port
                                                             : -1);
  if (port <= 0) {
    return Fail(ErrorKind::kConfig, fmt::format("bind {}:{}: address unusable",
                                                config_.host, config_.port));
  }
  return port;
}

void FakeCeipalServer::Serve() {
  serving_ = true;
  if (!stop_requested_) http_->listen_after_bind();
  serving_ = false;
}

void FakeCeipalServer::Stop() {
  // cpp-httplib ignores stop() until its listen loop has started, and a
  // signal may come between Bind() and that moment: so flag the stop for a
  // Serve() yet to come, and repeat it while one is under way.
  stop_requested_ = true;
  while (serving_) {
    http_->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace ceipal::fake
