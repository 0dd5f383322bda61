package io.sagabus.platform.time;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * Reads the instants this system writes. Every domain event carries one as ISO-8601 text, every consumer reads it,
 * and the order view sorts its timeline by it, so {@link Instant#parse} was about a tenth of a busy node's CPU.
 * The form {@link Instant#toString()} produces, {@code 2026-11-24T03:13:10.123456Z} (a fraction of 1 to 9 digits or
 * none), is read directly; any other text goes to {@link Instant#parse}, which reads it or throws as usual.
 */
public final class Instants {

  private static final int[] NANOS_SCALE = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};
  private static final int SECONDS_PER_DAY = 86_400;

  private Instants() {}

  /** The instant {@code text} names; throws {@link java.time.format.DateTimeParseException} as Instant.parse does. */
  public static Instant parse(String text) {
    Instant canonical = canonical(text);
    return canonical != null ? canonical : Instant.parse(text);
  }

  /** The instant when {@code text} is {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} with fields in range, else null. */
  private static Instant canonical(String text) {
    int length = text.length();
    if (length < 20 || length == 21 || length > 30 || text.charAt(4) != '-' || text.charAt(7) != '-'
        || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int nanos = 0;
    if (length > 20) {
      int fractionDigits = length - 21;
      int fraction = digits(text, 20, length - 1);
      if (text.charAt(19) != '.' || fraction < 0) {
        return null;
      }
      nanos = fraction * NANOS_SCALE[fractionDigits];
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * SECONDS_PER_DAY + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The decimal number in {@code text[from, to)}, or -1 when a character there is not a digit. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
