package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnerRingTest {

  @Test
  void everyNodeComputesTheSameOwner_whateverOrderItListsMembersIn() {
    OwnerRing one = new OwnerRing(List.of("node-a", "node-b", "node-c"));
    OwnerRing other = new OwnerRing(List.of("node-c", "node-a", "node-b"));
    for (int i = 0; i < 1_000; i++) {
      assertThat(other.ownerOf("t:k:client-" + i)).isEqualTo(one.ownerOf("t:k:client-" + i));
    }
  }

  @Test
  void keysSpreadEvenly_andOnlyTheLeaversKeysMove() {
    OwnerRing three = new OwnerRing(List.of("node-a", "node-b", "node-c"));
    OwnerRing two = new OwnerRing(List.of("node-a", "node-c"));
    Map<String, Integer> perNode = new HashMap<>();
    for (int i = 0; i < 30_000; i++) {
      String key = "t:ip:10.0." + (i / 256) + "." + (i % 256);
      String owner = three.ownerOf(key);
      perNode.merge(owner, 1, Integer::sum);
      if (!owner.equals("node-b")) {
        assertThat(two.ownerOf(key)).as("a key of a node that stays does not move").isEqualTo(owner);
      }
    }
    assertThat(perNode.values()).allSatisfy(count -> assertThat(count).isBetween(9_000, 11_000));
  }
}
