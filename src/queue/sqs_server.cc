#include "queue/sqs_server.h"

#include "core/clock.h"
#include "core/log.h"
#include "http/router.h"
#include "queue/sqs_protocol/actions.h"
#include "queue/sqs_protocol/queue_url.h"
#include "queue/sqs_protocol/wire.h"
#include "queue/sqs_server_long_poll.h"

namespace mlw::queue {

struct SqsServer::Impl {
  Impl(QueueService* service, SqsServerOptions opts)
      : options(std::move(opts)),
        registry(service, options.backend_threads),
        actions(service, &registry) {
    router.Add("*", "/",
               [this](http::Request r, http::Responder s) { Handle(std::move(r), std::move(s)); });
    router.Add("*", "/{account}/{queue}",
               [this](http::Request r, http::Responder s) { Handle(std::move(r), std::move(s)); });
    server = std::make_unique<http::HttpServer>(options.http, router.AsHandler());
  }

  // Runs on an I/O thread: decodes, then hands the backend work to the registry's threads.
  void Handle(http::Request request, http::Responder respond) {
    sqs::Protocol protocol = sqs::DetectProtocol(request);
    std::string request_id = request.request_id;
    auto fail = [&](const Status& status) {
      respond(sqs::RenderError(protocol, status, request_id));
    };
    if (options.credentials) {
      Status auth =
          sqs::VerifySigV4(request, *options.credentials, SystemClock::Default().NowMicros());
      if (!auth.ok()) return fail(auth);
    }
    Result<sqs::WireRequest> decoded = sqs::DecodeRequest(request, protocol);
    if (!decoded.ok()) return fail(decoded.status());
    sqs::ActionContext context;
    context.base_url =
        sqs::BaseUrl(request.Header("Host"), "127.0.0.1:" + std::to_string(server->port()));
    if (auto it = request.path_params.find("queue"); it != request.path_params.end()) {
      context.path_queue = it->second;
    }
    auto work = std::make_shared<sqs::WireRequest>(std::move(decoded).value());
    registry.Post([this, work, context = std::move(context), protocol, request_id,
                   respond = std::move(respond)]() mutable {
      const std::string action = work->action;
      actions.Execute(action, work->input, context,
                      [protocol, action, request_id, respond](Result<nlohmann::json> output) {
                        if (output.ok()) {
                          respond(sqs::RenderSuccess(protocol, action, *output, request_id));
                          return;
                        }
                        const Status& status = output.status();
                        if (status.code() == StatusCode::kInternal ||
                            status.code() == StatusCode::kUnavailable) {
                          log::Error("sqs_action_failed", {{"request_id", request_id},
                                                           {"action", action},
                                                           {"error", status.ToString()}});
                        }
                        respond(sqs::RenderError(protocol, status, request_id));
                      });
    });
  }

  SqsServerOptions options;
  LongPollRegistry registry;
  sqs::SqsActions actions;
  http::Router router;
  std::unique_ptr<http::HttpServer> server;
  bool stopped = false;
};

SqsServer::SqsServer(QueueService* service, SqsServerOptions options)
    : impl_(std::make_unique<Impl>(service, std::move(options))) {}

SqsServer::~SqsServer() { Stop(std::chrono::milliseconds(0)); }

Status SqsServer::Start() { return impl_->server->Start(); }

uint16_t SqsServer::port() const { return impl_->server->port(); }

size_t SqsServer::parked_polls() const { return impl_->registry.parked(); }

void SqsServer::Stop(std::chrono::milliseconds grace) {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->registry.Shutdown();  // parked polls answer now, so the HTTP stop finds them done
  impl_->server->Stop(grace);
  impl_->registry.Join();
}

}  // namespace mlw::queue
