package io.sagabus.platform.events;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;
import io.sagabus.platform.config.NodeConfig;
import java.util.regex.Pattern;

/**
 * Config section {@code events}: {@code topicPrefix} (prepended to every topic and consumer group, so tests and
 * parallel deployments sharing one Kafka stay apart), {@code partitions} (per topic, for topics this node creates),
 * {@code replicationFactor} (of the topics this node creates; 3 on a
 * production cluster), {@code retainPerPartition} (how many events the embedded log keeps per partition).
 */
public record EventLogSettings(String topicPrefix, int partitions, short replicationFactor, int retainPerPartition) {

  private static final Pattern TOPIC_CHARS = Pattern.compile("[a-zA-Z0-9._-]*");

  public static final int DEFAULT_PARTITIONS = 6;
  public static final int DEFAULT_RETAIN_PER_PARTITION = 2_000;

  public EventLogSettings {
    if (!TOPIC_CHARS.matcher(topicPrefix).matches()) {
      throw new IllegalArgumentException("topic prefix may hold only letters, digits, '.', '_' and '-', got '" + topicPrefix + "'");
    }
  }

  public static EventLogSettings defaults() {
    return withPrefix("");
  }

  public static EventLogSettings withPrefix(String topicPrefix) {
    return new EventLogSettings(topicPrefix, DEFAULT_PARTITIONS, (short) 1, DEFAULT_RETAIN_PER_PARTITION);
  }

  public static EventLogSettings from(NodeConfig config) {
    ConfigReader events = config.section("events");
    String prefix = events.string("topicPrefix", "");
    if (!TOPIC_CHARS.matcher(prefix).matches()) {
      throw new ConfigException(events.key("topicPrefix"),
          "may hold only letters, digits, '.', '_' and '-', got '" + prefix + "'");
    }
    return new EventLogSettings(prefix,
        events.integer("partitions", DEFAULT_PARTITIONS, 1, 1_000),
        (short) events.integer("replicationFactor", 1, 1, 16),
        events.integer("retainPerPartition", DEFAULT_RETAIN_PER_PARTITION, 1, 10_000_000));
  }

  public String topic(String type) {
    return topicPrefix + type;
  }

  public String group(String group) {
    return topicPrefix + group;
  }
}
