package io.sagabus.platform.config;

/** A configuration value that the node cannot start with. The message names the key and the problem. */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
