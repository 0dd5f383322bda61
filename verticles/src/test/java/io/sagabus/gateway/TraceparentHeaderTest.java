package io.sagabus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceparentHeaderTest {

  private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void validVersion00Header_isPassedOnAsItIs() {
    assertThat(TraceparentHeader.parse(VALID)).contains(VALID);
  }

  @Test
  void laterVersionWithExtraFields_isPassedOnAsVersion00WithoutThem() {
    assertThat(TraceparentHeader.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"))
        .contains(VALID);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"})
  void malformedHeader_isIgnored(String header) {
    assertThat(TraceparentHeader.parse(header)).isEmpty();
  }
}
