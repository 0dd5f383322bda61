package io.sagabus.platform.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void idsMadeOneAfterAnother_sortInTheOrderTheyWereMade_andNeverRepeat() {
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      made.add(Ids.next());
    }
    assertThat(made).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void anId_isAVersion7UuidThatStartsWithItsCreationTime() {
    long before = System.currentTimeMillis();
    UUID id = UUID.fromString(Ids.next());
    long after = System.currentTimeMillis();

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after);
  }
}
