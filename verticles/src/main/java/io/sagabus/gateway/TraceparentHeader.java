package io.sagabus.gateway;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The caller's W3C trace context ({@code traceparent} header), so a saga's or flow's domain events join the caller's
 * trace. A malformed header is ignored (the trace then derives from the saga id), as the W3C spec asks of a receiver.
 */
final class TraceparentHeader {

  static final String NAME = "traceparent";
  /** version-traceid-parentid-flags; a version after 00 may append fields, which we drop when passing it on. */
  private static final Pattern FORMAT = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
  private static final String ZERO_TRACE_ID = "0".repeat(32);
  private static final String ZERO_PARENT_ID = "0".repeat(16);

  private TraceparentHeader() {}

  /** The header as version 00, the only version we emit, or empty when it is missing or malformed. */
  static Optional<String> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    Matcher parts = FORMAT.matcher(header.trim());
    if (!parts.matches()) {
      return Optional.empty();
    }
    String version = parts.group(1);
    boolean invalid = version.equals("ff") || (version.equals("00") && parts.group(5) != null)
        || parts.group(2).equals(ZERO_TRACE_ID) || parts.group(3).equals(ZERO_PARENT_ID);
    return invalid ? Optional.empty() : Optional.of("00-" + parts.group(2) + "-" + parts.group(3) + "-" + parts.group(4));
  }
}
