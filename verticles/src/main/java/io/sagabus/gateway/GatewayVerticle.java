package io.sagabus.gateway;

import io.sagabus.platform.NodeContext;
import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.http.ManagementRoutes;
import io.sagabus.saga.contract.FlowMode;
import io.sagabus.platform.security.AdminAuth;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;

/** The HTTP API. It validates input and turns each request into event-bus requests to the services. */
public final class GatewayVerticle extends VerticleBase {

  static final long SERVICE_TIMEOUT_MS = 5_000;
  static final long REQUEST_TIMEOUT_MS = 30_000;

  private final NodeContext node;

  public GatewayVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    ManagementRoutes.mount(vertx, router, node);
    router.route("/api/*").handler(TimeoutHandler.create(REQUEST_TIMEOUT_MS, 503));
    router.route("/api/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.route("/api/admin/*").handler(AdminAuth.create(vertx, node.config()));
    RateLimitRoutes.mount(vertx, router, node);
    ResilienceRoutes.mount(vertx, router);
    SagaApiRoutes.mount(vertx, router, defaultFlowMode(node.config().section("saga")));
    OrderViewRoutes.mount(vertx, router);
    DashboardRoutes.mount(vertx, router);
    ManagementRoutes.installErrorHandlers(router);
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(node.config().http().port(), node.config().http().host());
  }

  /** {@code saga.mode}: how orders run when the request does not say; orchestration unless configured. */
  static FlowMode defaultFlowMode(ConfigReader saga) {
    String mode = saga.string("mode", FlowMode.ORCHESTRATION.value());
    return FlowMode.parse(mode).orElseThrow(() -> new ConfigException(saga.key("mode"), "must be " + FlowMode.choices() + ", got '" + mode + "'"));
  }
}
