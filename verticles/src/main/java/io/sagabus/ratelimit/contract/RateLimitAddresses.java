package io.sagabus.ratelimit.contract;

/**
 * Event-bus addresses of the rate-limit service (role {@value #ROLE}). Bodies are JSON objects; field names are in
 * {@link RateLimitFields}.
 */
public final class RateLimitAddresses {

  /** The role name a node runs the rate-limit verticle under. */
  public static final String ROLE = "ratelimit";

  /**
   * A decision for one HTTP request, answered by any rate-limit node. Request: {@link RateLimitFields#METHOD},
   * {@link RateLimitFields#PATH} and whichever of {@link RateLimitFields#API_KEY}, {@link RateLimitFields#USER},
   * {@link RateLimitFields#CLIENT_IP}, {@link RateLimitFields#ACCOUNT} the caller knows. Reply: a verdict
   * ({@link RateLimitFields#ALLOWED}, {@link RateLimitFields#POLICY}, ...). Fails with 503 when the backend is down
   * and the policy is fail-closed.
   */
  public static final String DECIDE = "ratelimit.decide";

  /** Replies with the rules in force: {@code {"tiers":{..},"apiKeys":{..},"defaultTier":..,"rules":[..]}}. */
  public static final String RULES_GET = "ratelimit.rules.get";

  /** Replaces the rules cluster-wide. Request: a rules document as {@link #RULES_GET} returns. Fails with 400 naming the bad key. */
  public static final String RULES_PUT = "ratelimit.rules.put";

  private RateLimitAddresses() {}

  /** {@link #DECIDE} answered by the rate-limit verticle of one node, so a gateway can skip a network hop. */
  public static String decideOn(String nodeId) {
    return DECIDE + "." + nodeId;
  }

  /**
   * {@link #DECIDE} answered on the caller's own event loop of node {@code nodeId}: the rate-limit service listens
   * there on every event loop of its node, so a gateway's decision never waits for another thread to wake up. Call
   * it on the event loop that sends; a caller on any other thread gets an address nobody listens on
   * ({@code NO_HANDLERS}) and should use {@link #decideOn}.
   */
  public static String decideOnCallersLoop(String nodeId) {
    return decideOn(nodeId) + "@" + Thread.currentThread().getName();
  }
}
