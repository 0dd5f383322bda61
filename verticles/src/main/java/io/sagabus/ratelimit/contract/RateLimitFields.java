package io.sagabus.ratelimit.contract;

/** Field names of rate-limit requests and verdicts. */
public final class RateLimitFields {

  // Request
  /** HTTP method, e.g. {@code POST}. */
  public static final String METHOD = "method";
  /** Request path, e.g. {@code /api/orders}. */
  public static final String PATH = "path";
  /** Value of the {@code X-API-Key} header, if any. */
  public static final String API_KEY = "apiKey";
  /** Authenticated user (subject), if any. */
  public static final String USER = "user";
  /** Remote client address. */
  public static final String CLIENT_IP = "clientIp";
  /** Account a login attempt names (JSON body field {@code username}), for per-account rules. */
  public static final String ACCOUNT = "account";

  // Verdict
  /** true when the request may proceed. */
  public static final String ALLOWED = "allowed";
  /** Policy name for the RateLimit headers: the tier, or the endpoint rule that owns its own bucket. */
  public static final String POLICY = "policy";
  /** Quota units per window. */
  public static final String QUOTA = "quota";
  /** Window in seconds. */
  public static final String WINDOW_SECONDS = "window";
  /** Whole tokens left after this decision. */
  public static final String REMAINING = "remaining";
  /** Seconds until the bucket is full again. */
  public static final String RESET_SECONDS = "reset";
  /** On a rejection: seconds until the request could be admitted. */
  public static final String RETRY_AFTER_SECONDS = "retryAfter";
  /** true when the decision came from the local fallback because the shared backend was unreachable. */
  public static final String DEGRADED = "degraded";

  private RateLimitFields() {}
}
