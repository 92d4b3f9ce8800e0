#include "engine/http.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ceipal::engine {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A cpp-httplib server on 127.0.0.1 and a free port, serving from its own
// thread. Register handlers on server() before Start().
class LocalServer {
 public:
  LocalServer() : port_(server_.bind_to_any_port("127.0.0.1")) {}
  ~LocalServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Server& server() { return server_; }

  void Start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the loop runs, so wait for it.
    while (!server_.is_running()) std::this_thread::sleep_for(milliseconds(1));
  }

  std::string Url(const std::string& path_and_query) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path_and_query;
  }

 private:
  httplib::Server server_;
  int port_;
  std::thread thread_;
};

// A listening socket that reads one request and answers it with a TCP
// reset, which no HTTP server library will do on purpose.
class ResettingServer {
 public:
  ResettingServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(fd_, 4) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot set up the resetting server";
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { ServeOne(); });
  }

  ~ResettingServer() {
    shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }

  std::string Url(const std::string& path_and_query) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path_and_query;
  }

 private:
  void ServeOne() {
    const int connection = accept(fd_, nullptr, nullptr);
    if (connection < 0) return;
    std::string request;
    char buffer[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t got = read(connection, buffer, sizeof(buffer));
      if (got <= 0) break;
      request.append(buffer, static_cast<std::size_t>(got));
    }
    // A zero linger time turns close() into a reset.
    const linger abort_on_close{1, 0};
    setsockopt(connection, SOL_SOCKET, SO_LINGER, &abort_on_close,
               sizeof(abort_on_close));
    close(connection);
  }

  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// Holds a handler until the test lets it go, so a client can time out
// without the server sleeping a fixed time.
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mutex_);
    opened_.wait_for(lock, seconds(30), [this] { return open_; });
  }
  void Open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

std::string Gzip(const std::string& text) {
  httplib::detail::gzip_compressor compressor;
  std::string compressed;
  const bool ok =
      compressor.compress(text.data(), text.size(), /*last=*/true,
                          [&compressed](const char* data, std::size_t size) {
                            compressed.append(data, size);
                            return true;
                          });
  EXPECT_TRUE(ok);
  return compressed;
}

HttpRequest Get(std::string url) {
  return HttpRequest{"GET", std::move(url), {}, ""};
}

TEST(CurlTransport, ReturnsStatusBodyAndRetryAfter) {
  LocalServer local;
  local.server().Get(
      "/v2/busy/", [](const httplib::Request&, httplib::Response& response) {
        response.status = 429;
        response.set_header("Retry-After", "7");
        response.set_content(R"({"message": "slow down"})", "application/json");
      });
  local.Start();
  CurlTransport transport;

  auto response = transport.Perform(Get(local.Url("/v2/busy/")));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 429);
  EXPECT_EQ(response->body, R"({"message": "slow down"})");
  EXPECT_EQ(response->retry_after, "7");
}

TEST(CurlTransport, SendsPostBodyAndHeaders) {
  LocalServer local;
  std::string seen_body;
  std::string seen_header;
  std::string seen_method;
  local.server().Post("/v2/echo/", [&](const httplib::Request& request,
                                       httplib::Response& response) {
    seen_method = request.method;
    seen_body = request.body;
    seen_header = request.get_header_value("X-Probe");
    response.set_content("{}", "application/json");
  });
  local.Start();
  CurlTransport transport;

  auto response = transport.Perform(HttpRequest{
      "POST", local.Url("/v2/echo/"), {"X-Probe: yes"}, R"({"a":1})"});

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(seen_method, "POST");
  EXPECT_EQ(seen_body, R"({"a":1})");
  EXPECT_EQ(seen_header, "yes");
}

TEST(CurlTransport, DecodesGzipBodies) {
  LocalServer local;
  const std::string body(20000, 'x');
  std::string accept_encoding;
  std::size_t sent_bytes = 0;
  local.server().Get("/v2/zipped/", [&](const httplib::Request& request,
                                        httplib::Response& response) {
    accept_encoding = request.get_header_value("Accept-Encoding");
    const std::string compressed = Gzip(body);
    sent_bytes = compressed.size();
    response.set_header("Content-Encoding", "gzip");
    // A type httplib would not compress again on its own.
    response.set_content(compressed, "application/octet-stream");
  });
  local.Start();
  CurlTransport transport;

  auto response = transport.Perform(Get(local.Url("/v2/zipped/")));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_NE(accept_encoding.find("gzip"), std::string::npos);
  EXPECT_LT(sent_bytes, body.size() / 10);
  EXPECT_EQ(response->body, body);
}

TEST(CurlTransport, KeepsOneConnectionForSeveralRequests) {
  LocalServer local;
  std::mutex mutex;
  std::vector<int> client_ports;
  local.server().Get("/v2/ping/", [&](const httplib::Request& request,
                                      httplib::Response& response) {
    std::lock_guard lock(mutex);
    client_ports.push_back(request.remote_port);
    response.set_content("pong", "text/plain");
  });
  local.Start();
  CurlTransport transport;

  for (int i = 0; i < 3; ++i) {
    auto response = transport.Perform(Get(local.Url("/v2/ping/")));
    ASSERT_TRUE(response.has_value()) << response.error().message;
  }

  std::lock_guard lock(mutex);
  ASSERT_EQ(client_ports.size(), 3u);
  EXPECT_EQ(client_ports[1], client_ports[0]);
  EXPECT_EQ(client_ports[2], client_ports[0]);
}

TEST(CurlTransport, ConnectionResetIsANetworkError) {
  ResettingServer resetting;
  CurlTransport transport;

  auto response = transport.Perform(Get(resetting.Url("/v2/reset/?page=3")));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(response.error().message.find("GET /v2/reset/?page=3"),
            std::string::npos)
      << response.error().message;
}

TEST(CurlTransport, RefusedConnectionIsANetworkError) {
  // A bound socket that does not listen: connecting to it is refused, and
  // nobody else can take the port meanwhile.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) +
      "/v2/nobody/";
  CurlTransport transport;

  auto response = transport.Perform(Get(url));
  close(fd);

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(response.error().message.find("GET /v2/nobody/"), std::string::npos)
      << response.error().message;
}

TEST(CurlTransport, SlowAnswerTimesOutAsANetworkError) {
  LocalServer local;
  Gate gate;
  local.server().Get("/v2/slow/",
                     [&](const httplib::Request&, httplib::Response& response) {
                       gate.Wait();
                       response.set_content("late", "text/plain");
                     });
  local.Start();
  CurlTransportOptions options;
  options.total_timeout = milliseconds(200);
  CurlTransport transport(options);

  auto response = transport.Perform(Get(local.Url("/v2/slow/")));
  gate.Open();

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kNetwork);
  EXPECT_NE(response.error().message.find("GET /v2/slow/"), std::string::npos)
      << response.error().message;
}

TEST(CurlTransport, TruncatedBodyIsANetworkError) {
  LocalServer local;
  local.server().Get(
      "/v2/cut/", [](const httplib::Request&, httplib::Response& response) {
        // Promise 1000 bytes, send 100, then drop the connection.
        response.set_content_provider(
            1000, "application/json",
            [](std::size_t, std::size_t, httplib::DataSink& sink) {
              const std::string part(100, 'x');
              sink.write(part.data(), part.size());
              return false;
            });
      });
  local.Start();
  CurlTransport transport;

  auto response = transport.Perform(Get(local.Url("/v2/cut/")));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kNetwork);
}

TEST(CurlTransport, RefusesABodyOverTheCapWhenItsLengthIsAnnounced) {
  LocalServer local;
  local.server().Get(
      "/v2/big/", [](const httplib::Request&, httplib::Response& response) {
        response.set_content(std::string(4096, 'x'), "text/plain");
      });
  local.Start();
  CurlTransportOptions options;
  options.max_body_bytes = 1024;
  CurlTransport transport(options);

  auto response = transport.Perform(Get(local.Url("/v2/big/")));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kParse);
  EXPECT_NE(response.error().message.find("1024"), std::string::npos)
      << response.error().message;
}

TEST(CurlTransport, RefusesABodyOverTheCapWhenItArrivesInChunks) {
  LocalServer local;
  local.server().Get(
      "/v2/stream/", [](const httplib::Request&, httplib::Response& response) {
        response.set_chunked_content_provider(
            "text/plain", [](std::size_t offset, httplib::DataSink& sink) {
              if (offset >= 4096) {
                sink.done();
                return true;
              }
              const std::string chunk(512, 'x');
              sink.write(chunk.data(), chunk.size());
              return true;
            });
      });
  local.Start();
  CurlTransportOptions options;
  options.max_body_bytes = 1024;
  CurlTransport transport(options);

  auto response = transport.Perform(Get(local.Url("/v2/stream/")));

  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, ErrorKind::kParse);
}

TEST(CurlTransport, AcceptsABodyExactlyAtTheCap) {
  LocalServer local;
  local.server().Get(
      "/v2/fits/", [](const httplib::Request&, httplib::Response& response) {
        response.set_content(std::string(1024, 'x'), "text/plain");
      });
  local.Start();
  CurlTransportOptions options;
  options.max_body_bytes = 1024;
  CurlTransport transport(options);

  auto response = transport.Perform(Get(local.Url("/v2/fits/")));

  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->body.size(), 1024u);
}

TEST(CurlTransport, ErrorMessagesNeverShowHeadersOrBody) {
  ResettingServer resetting;
  CurlTransport transport;

  auto response =
      transport.Perform(HttpRequest{"POST",
                                    resetting.Url("/v2/createAuthtoken/"),
                                    {"Token: Bearer header-secret-123"},
                                    R"({"password": "body-secret-456"})"});

  ASSERT_FALSE(response.has_value());
  const std::string& message = response.error().message;
  EXPECT_NE(message.find("POST /v2/createAuthtoken/"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("header-secret-123"), std::string::npos) << message;
  EXPECT_EQ(message.find("body-secret-456"), std::string::npos) << message;
}

TEST(UrlPathAndQuery, DropsSchemeAndHost) {
  EXPECT_EQ(UrlPathAndQuery("https://api.ceipal.com/v2/x/?page=2"),
            "/v2/x/?page=2");
  EXPECT_EQ(UrlPathAndQuery("http://user:pw@127.0.0.1:8080/v2/y/"), "/v2/y/");
  EXPECT_EQ(UrlPathAndQuery("https://api.ceipal.com"), "/");
  EXPECT_EQ(UrlPathAndQuery("https://api.ceipal.com?a=1"), "/?a=1");
}

TEST(EncodeQueryComponent, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(EncodeQueryComponent("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(EncodeQueryComponent("2026-01-01 10:00:00"),
            "2026-01-01%2010%3A00%3A00");
  EXPECT_EQ(EncodeQueryComponent("a&b=c+d/e"), "a%26b%3Dc%2Bd%2Fe");
  EXPECT_EQ(EncodeQueryComponent("\xC3\xA9"), "%C3%A9");
}

TEST(ParseRetryAfter, ReadsDelaySeconds) {
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(ParseRetryAfter("120", now), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 5 ", now), seconds(5));
  EXPECT_EQ(ParseRetryAfter("0", now), seconds(0));
}

TEST(ParseRetryAfter, ReadsAnHttpDateRelativeToNow) {
  // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 s after the epoch.
  const auto date = std::chrono::system_clock::time_point(seconds(1445412480));
  EXPECT_EQ(
      ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", date - seconds(30)),
      seconds(30));
  EXPECT_EQ(
      ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", date + seconds(30)),
      seconds(0));
}

TEST(ParseRetryAfter, IgnoresWhatItCannotRead) {
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-3", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now), std::nullopt);
}

}  // namespace
}  // namespace ceipal::engine
