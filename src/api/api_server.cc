#include "api/api_server.h"

#include "api/route_context.h"

namespace mlw::api {

struct ApiServer::Impl {
  Impl(ApiDeps deps, ApiOptions options)
      : ctx(std::move(deps), options), server(options.http, ctx.router().AsHandler()) {}
  internal::RouteContext ctx;
  http::HttpServer server;
};

ApiServer::ApiServer(ApiDeps deps, ApiOptions options) {
  impl_ = std::make_unique<Impl>(std::move(deps), std::move(options));
  internal::AddOpsRoutes(impl_->ctx);
  internal::AddUserRoutes(impl_->ctx);
  internal::AddIngestRoutes(impl_->ctx);
  internal::AddQueryRoutes(impl_->ctx);
}

ApiServer::~ApiServer() { Stop(std::chrono::milliseconds(0)); }

Status ApiServer::Start() { return impl_->server.Start(); }

uint16_t ApiServer::port() const { return impl_->server.port(); }

void ApiServer::Stop(std::chrono::milliseconds grace) {
  impl_->server.Stop(grace);
  impl_->ctx.Shutdown();
}

std::vector<std::pair<std::string, std::string>> ApiServer::routes() const {
  return impl_->ctx.routes();
}

}  // namespace mlw::api
