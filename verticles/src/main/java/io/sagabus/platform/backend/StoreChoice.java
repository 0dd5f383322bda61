package io.sagabus.platform.backend;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigReader;

/** A service's {@code store} setting: {@code auto} (PostgreSQL when one is configured), {@code memory} or {@code postgres}. */
public final class StoreChoice {

  private StoreChoice() {}

  /** True when the service described by {@code section} keeps its state in PostgreSQL. */
  public static boolean postgres(ConfigReader section, Backends backends) {
    String kind = section.string("store", "auto");
    return switch (kind) {
      case "auto" -> backends.postgres().isPresent();
      case "memory" -> false;
      case "postgres" -> {
        if (backends.postgres().isEmpty()) {
          throw new ConfigException(section.key("store"), "is postgres but no postgres.url is configured");
        }
        yield true;
      }
      default -> throw new ConfigException(section.key("store"), "must be auto, memory or postgres, got '" + kind + "'");
    };
  }
}
