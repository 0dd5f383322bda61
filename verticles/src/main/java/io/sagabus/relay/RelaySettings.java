package io.sagabus.relay;

import io.sagabus.platform.config.ConfigReader;

/**
 * Config section {@code relay}: {@code batchSize} (entries read and published per round), {@code pollMs} (wait after
 * a round that found less than a batch unless an append wakes the relay first: only the safety net for a lost wake), {@code leaseRetryMs} (how often a partition held elsewhere is tried again,
 * which bounds the take-over after a relay's node dies), {@code backlogSampleMs} (how often the backlog gauge is
 * refreshed).
 */
public record RelaySettings(int batchSize, long pollMs, long leaseRetryMs, long backlogSampleMs) {

  static RelaySettings from(ConfigReader relay) {
    return new RelaySettings(
        relay.integer("batchSize", 1_000, 1, 100_000),
        relay.longValue("pollMs", 1_000, 1, 600_000),
        relay.longValue("leaseRetryMs", 2_000, 10, 600_000),
        relay.longValue("backlogSampleMs", 1_000, 10, 600_000));
  }
}
