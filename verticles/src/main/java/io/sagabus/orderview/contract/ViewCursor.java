package io.sagabus.orderview.contract;

import io.sagabus.platform.time.Instants;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;

/**
 * A position in the views' order, newest first: (createdAt, orderId) descending. Clients get it as an opaque
 * base64url token and hand it back for the next page; paging by key never skips or repeats a row while views change.
 */
public record ViewCursor(Instant createdAt, String orderId) {

  /** Newest first, ties broken by orderId descending: the order every adapter pages in. */
  public static final Comparator<ViewCursor> NEWEST_FIRST = Comparator
      .comparing(ViewCursor::createdAt)
      .thenComparing(ViewCursor::orderId)
      .reversed();

  public static ViewCursor of(JsonObject view) {
    return new ViewCursor(Instants.parse(view.getString("createdAt")), view.getString("orderId"));
  }

  /** True when {@code position} comes after this one. */
  public boolean precedes(ViewCursor position) {
    return NEWEST_FIRST.compare(this, position) < 0;
  }

  public String encode() {
    String text = createdAt + "|" + orderId;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a token; throws {@link IllegalArgumentException} for anything that was not made by {@link #encode}. */
  public static ViewCursor decode(String token) {
    String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    int bar = text.indexOf('|');
    if (bar <= 0 || bar == text.length() - 1) {
      throw new IllegalArgumentException("not a cursor");
    }
    try {
      return new ViewCursor(Instant.parse(text.substring(0, bar)), text.substring(bar + 1));
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("not a cursor", e);
    }
  }
}
