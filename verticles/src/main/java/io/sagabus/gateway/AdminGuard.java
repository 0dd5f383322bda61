package io.sagabus.gateway;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * Decides whether a request may use the admin API. The JWT implementation ({@link JwtAdminGuard}) is what ships;
 * a fuller authentication handler (issue 4) can replace it by implementing this one method.
 */
public interface AdminGuard {

  /** Succeeds for an admin; fails with {@link Denied} (401: who are you? 403: not allowed). */
  Future<Void> authorize(RoutingContext ctx);

  final class Denied extends RuntimeException {
    private final int status;

    public Denied(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /** When no way to authenticate is configured, nobody is an admin. */
  static AdminGuard denyAll() {
    return ctx -> Future.failedFuture(new Denied(401, "The admin API needs security.jwtSecret to be configured."));
  }
}
