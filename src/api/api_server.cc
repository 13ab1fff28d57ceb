#include "api/api_server.h"

#include "api/route_context.h"
#include "store/group_commit_database.h"

namespace mlw::api {

namespace {

// Handlers see the group-commit wrapper in place of the database when it is enabled.
ApiDeps WithWriter(ApiDeps deps, store::GroupCommitDatabase* writer) {
  if (writer) deps.db = writer;
  return deps;
}

}  // namespace

struct ApiServer::Impl {
  Impl(ApiDeps deps, ApiOptions options)
      : writer(options.group_commit ? std::make_unique<store::GroupCommitDatabase>(*deps.db)
                                    : nullptr),
        ctx(WithWriter(std::move(deps), writer.get()), options),
        server(options.http, ctx.router().AsHandler()) {}
  // Declared first so that it outlives the handlers using it.
  std::unique_ptr<store::GroupCommitDatabase> writer;
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
