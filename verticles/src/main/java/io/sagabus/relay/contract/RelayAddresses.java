package io.sagabus.relay.contract;

/** The outbox relay: publishes the participants' outboxes to the event log. */
public final class RelayAddresses {

  /** Role name. */
  public static final String ROLE = "relay";
  /**
   * Query {@code {}} -> {@code {node, outboxes: [{name, backlog, oldestAgeMs, held: [partition...]}]}}: the backlog
   * of each outbox and the partitions the answering node's relay publishes.
   */
  public static final String STATUS = "relay.status";

  private RelayAddresses() {}
}
