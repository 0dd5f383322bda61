package io.sagabus.dashboard.contract;

/**
 * Event-bus addresses of the dashboard (role {@value #ROLE}). Browsers never reach any of them: the page gets
 * {@link #FRAMES} through a read-only WebSocket that the gateway serves at {@value #SOCKET_PATH}.
 */
public final class DashboardAddresses {

  public static final String ROLE = "dashboard";

  /** Path of the read-only WebSocket that streams frames to browsers. */
  public static final String SOCKET_PATH = "/dashboard/ws";

  /**
   * Published cluster-wide by every dashboard node once per report interval: what that node's own saga engine did,
   * and its rate-limit counters. {@code {"nodeId","nodeName","at": epoch ms,
   * "sagas": {"started","completed","failed","compensated","parked","resolved"} (totals since the dashboard started),
   * "inFlight", "sample": [saga], "triage": [entry], "rateLimits": {tier: {"allowed","rejected"}} (totals)}}.
   * A saga in the sample is {@code {"sagaId","type","status","node","startedAt","updatedAt","error"?,
   * "steps":[{"name","status","attempts","startedAt","endedAt","error"?,"compensation"?:{"status","attempts",
   * "startedAt","endedAt","error"?}}]}}; a triage entry is {@code {"sagaId","type","status","step"?,"error"?,
   * "attempts","updatedAt"}}.
   */
  public static final String NODE_REPORT = "dashboard.node.report";

  /**
   * Published on the local node only (a String, the encoded JSON frame) once a second for the sockets of that
   * node: {@code {"at","node","nodes","totals","series","sample","triage","circuits","rateLimits","chaos","orderStream"?}}, where
   * {@code orderStream} is the newest report on {@code orderview.stats} when one arrived in the last 10 s.
   */
  public static final String FRAMES = "dashboard.frames";

  private DashboardAddresses() {}
}
