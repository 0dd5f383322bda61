package io.sagabus.gateway;

import io.sagabus.dashboard.contract.DashboardAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The dashboard page (static files packaged under {@code webroot/}) at {@code /}, and its read-only WebSocket.
 *
 * <p>The socket only ever writes: each frame the node's dashboard publishes on {@link DashboardAddresses#FRAMES}
 * goes to every open socket as it is. Anything a browser sends closes its socket with 1008 (policy violation), and
 * nothing it sends is ever read, parsed or forwarded, so no browser can reach an event-bus address through it. A
 * browser must come from this node's own origin: a cross-site page cannot open the socket.
 */
final class DashboardRoutes {

  static final short POLICY_VIOLATION = 1008;
  /** A socket this far behind gets no new frame until it drains: a slow browser costs memory, not the node. */
  static final int MAX_QUEUED_BYTES = 1 << 20;
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

  private final Set<ServerWebSocket> sockets = new LinkedHashSet<>();
  private String lastFrame;

  private DashboardRoutes() {}

  static void mount(Vertx vertx, Router router) {
    DashboardRoutes routes = new DashboardRoutes();
    vertx.eventBus().<String>localConsumer(DashboardAddresses.FRAMES, message -> routes.broadcast(message.body()));
    router.get(DashboardAddresses.SOCKET_PATH).handler(routes::upgrade);
    router.get("/*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY).putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setDirectoryListing(false));
  }

  private void upgrade(RoutingContext ctx) {
    if (!sameOrigin(ctx.request().getHeader(HttpHeaders.ORIGIN), ctx.request().getHeader(HttpHeaders.HOST))) {
      ctx.response().setStatusCode(403).end();
      return;
    }
    ctx.request().toWebSocket().onSuccess(socket -> {
      socket.setWriteQueueMaxSize(MAX_QUEUED_BYTES);
      sockets.add(socket);
      socket.closeHandler(ignored -> sockets.remove(socket));
      socket.exceptionHandler(ignored -> sockets.remove(socket));
      socket.frameHandler(frame -> refuse(socket, frame));
      if (lastFrame != null) {
        socket.writeTextMessage(lastFrame);
      }
    });
  }

  /** Nothing a browser sends is accepted: the first data frame closes the socket unread. */
  private void refuse(ServerWebSocket socket, WebSocketFrame frame) {
    if (frame.isClose() || frame.isPing() || frame.type() == WebSocketFrameType.PONG) {
      return;
    }
    sockets.remove(socket);
    if (!socket.isClosed()) {
      socket.close(POLICY_VIOLATION, "this socket is read-only");
    }
  }

  private void broadcast(String frame) {
    lastFrame = frame;
    for (ServerWebSocket socket : sockets) {
      if (!socket.isClosed() && !socket.writeQueueFull()) {
        socket.writeTextMessage(frame);
      }
    }
  }

  /** A browser always sends Origin; it must name the host the page was loaded from. Non-browser clients send none. */
  static boolean sameOrigin(String origin, String host) {
    if (origin == null) {
      return true;
    }
    if (host == null) {
      return false;
    }
    try {
      URI uri = URI.create(origin);
      String authority = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && host.equalsIgnoreCase(authority);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
