package io.sagabus.platform.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InstantsTest {

  @Test
  void everyInstantWrittenByToString_readsBackAsInstantParseReadsIt() {
    SplittableRandom random = new SplittableRandom(42);
    long from = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      // Whole seconds, millis, micros and nanos, so toString writes no fraction and 3, 6 and 9 digits.
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1_000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1_000;
        default -> random.nextInt(1_000_000_000);
      };
      Instant instant = Instant.ofEpochSecond(random.nextLong(from, to + 1), nanos);
      String text = instant.toString();
      assertThat(Instants.parse(text)).as(text).isEqualTo(Instant.parse(text)).isEqualTo(instant);
    }
  }

  @Test
  void fractionsOfAnyLength_andLeapDays_readAsInstantParseReadsThem() {
    for (String text : List.of("2026-11-24T03:13:10.5Z", "2026-11-24T03:13:10.12Z", "2026-11-24T03:13:10.1234Z",
        "2024-02-29T23:59:59.999999999Z", "2000-02-29T00:00:00Z", "1969-12-31T23:59:59.9Z", "0001-01-01T00:00:00Z",
        "2026-11-24T03:13:10.Z")) {
      assertThat(Instants.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void textOutsideTheCanonicalForm_goesToInstantParse_whichReadsItOrRefusesIt() {
    assertThat(Instants.parse("+10000-01-01T00:00:00Z")).isEqualTo(Instant.parse("+10000-01-01T00:00:00Z"));
    for (String bad : List.of("", "2026-11-24", "2026-11-24T03:13:10", "2026-13-24T03:13:10Z", "2026-02-30T03:13:10Z",
        "2023-02-29T00:00:00Z", "2026-11-24T24:13:10Z", "2026-11-24T03:60:10Z", "2026-11-24T03:13:1xZ",
        "2026-11-24T03:13:10,5Z", "2026-11-24T03:13:10.1234567890Z", "2026-11-24 03:13:10Z")) {
      assertThatThrownBy(() -> Instants.parse(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
    }
  }
}
