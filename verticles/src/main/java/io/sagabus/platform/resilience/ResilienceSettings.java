package io.sagabus.platform.resilience;

import io.sagabus.platform.config.ConfigReader;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code resilience} config section: {@code defaults} for every target and {@code targets.<name>} overrides.
 * Immutable; a runtime change builds a new one from the whole section.
 */
public final class ResilienceSettings {

  public static final String SECTION = "resilience";

  private final JsonObject source;
  private final TargetPolicy defaults;
  private final Map<String, TargetPolicy> targets;

  private ResilienceSettings(JsonObject source, TargetPolicy defaults, Map<String, TargetPolicy> targets) {
    this.source = source;
    this.defaults = defaults;
    this.targets = targets;
  }

  /** Validates the section; a bad value throws a ConfigException naming its full key. */
  public static ResilienceSettings read(ConfigReader section) {
    TargetPolicy defaults = TargetPolicy.read(section.section("defaults"), TargetPolicy.BUILT_IN);
    ConfigReader targetsSection = section.section("targets");
    Map<String, TargetPolicy> targets = new TreeMap<>();
    for (String target : targetsSection.raw().fieldNames()) {
      if (!target.matches("[a-z][a-z0-9-]*")) {
        throw new io.sagabus.platform.config.ConfigException(targetsSection.key(target), "target names are lower-case service names");
      }
      targets.put(target, TargetPolicy.read(targetsSection.section(target), defaults));
    }
    return new ResilienceSettings(section.raw().copy(), defaults, Map.copyOf(targets));
  }

  /** Reads the {@code resilience} section of a whole config, or the same JSON given at runtime. */
  public static ResilienceSettings fromSection(JsonObject section) {
    return read(new ConfigReader(section, SECTION));
  }

  public static ResilienceSettings builtIn() {
    return fromSection(new JsonObject());
  }

  public TargetPolicy policyFor(String target) {
    return targets.getOrDefault(target, defaults);
  }

  /** The section as given, to store and to replicate. */
  public JsonObject source() {
    return source.copy();
  }

  /** Every policy in effect, with defaults filled in. */
  public JsonObject effective() {
    JsonObject perTarget = new JsonObject();
    targets.forEach((target, policy) -> perTarget.put(target, policy.toJson()));
    return new JsonObject().put("defaults", defaults.toJson()).put("targets", perTarget);
  }
}
