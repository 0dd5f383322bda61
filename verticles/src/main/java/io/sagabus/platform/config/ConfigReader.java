package io.sagabus.platform.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed, validating reads from one section of the node's JSON config. Every failure names the full key, so a
 * bad value stops the node with one line an operator can act on.
 */
public final class ConfigReader {

  private final JsonObject json;
  private final String prefix;

  public ConfigReader(JsonObject json, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
  }

  public static ConfigReader root(JsonObject json) {
    return new ConfigReader(json, "");
  }

  public ConfigReader section(String name) {
    Object value = json.getValue(name);
    if (value != null && !(value instanceof JsonObject)) {
      throw new ConfigException(key(name), "must be a JSON object, got " + describe(value));
    }
    return new ConfigReader((JsonObject) value, key(name));
  }

  public JsonObject raw() {
    return json;
  }

  public String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  public boolean has(String name) {
    return json.getValue(name) != null;
  }

  public String string(String name, String fallback) {
    Object value = json.getValue(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException(key(name), "must be a string, got " + describe(value));
    }
    if (text.isBlank()) {
      throw new ConfigException(key(name), "must not be blank");
    }
    return text;
  }

  public String requiredString(String name) {
    String value = string(name, null);
    if (value == null) {
      throw new ConfigException(key(name), "is required");
    }
    return value;
  }

  public int integer(String name, int fallback, int min, int max) {
    return (int) longValue(name, fallback, min, max);
  }

  public long longValue(String name, long fallback, long min, long max) {
    Object value = json.getValue(name);
    if (value == null) {
      return fallback;
    }
    long parsed;
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
      parsed = number.longValue();
    } else if (value instanceof String text) {
      try {
        parsed = Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key(name), "must be an integer between " + min + " and " + max + ", got '" + text + "'");
      }
    } else {
      throw new ConfigException(key(name), "must be an integer between " + min + " and " + max + ", got " + describe(value));
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + parsed);
    }
    return parsed;
  }

  public double decimal(String name, double fallback, double min, double max) {
    Object value = json.getValue(name);
    if (value == null) {
      return fallback;
    }
    double parsed;
    if (value instanceof Number number) {
      parsed = number.doubleValue();
    } else if (value instanceof String text) {
      try {
        parsed = Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key(name), "must be a number, got '" + text + "'");
      }
    } else {
      throw new ConfigException(key(name), "must be a number, got " + describe(value));
    }
    if (Double.isNaN(parsed) || parsed < min || parsed > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + parsed);
    }
    return parsed;
  }

  public boolean bool(String name, boolean fallback) {
    Object value = json.getValue(name);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof String text && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(key(name), "must be true or false, got " + describe(value));
  }

  /** A list given as a JSON array or as a comma-separated string (the form environment variables use). */
  public List<String> stringList(String name, List<String> fallback) {
    Object value = json.getValue(name);
    if (value == null) {
      return fallback;
    }
    List<String> items = new ArrayList<>();
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof String text) || text.isBlank()) {
          throw new ConfigException(key(name), "must list non-blank strings, got " + describe(item));
        }
        items.add(text.trim());
      }
    } else if (value instanceof String text) {
      for (String part : text.split(",")) {
        if (!part.isBlank()) {
          items.add(part.trim());
        }
      }
    } else {
      throw new ConfigException(key(name), "must be a list of strings, got " + describe(value));
    }
    return List.copyOf(items);
  }

  private static String describe(Object value) {
    if (value instanceof String text) {
      return "'" + text + "'";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof JsonArray) {
      return "a list";
    }
    return String.valueOf(value);
  }
}
