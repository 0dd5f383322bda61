package io.sagabus.ratelimit;

import java.util.List;

/**
 * Which rate-limit node owns a bucket key: rendezvous (highest random weight) hashing over the nodes that run the
 * role. Every node computes the same owner from the same member list, and when a node leaves only its own keys
 * move.
 */
public final class OwnerRing {

  private final List<String> nodes;

  public OwnerRing(List<String> nodes) {
    this.nodes = nodes.stream().sorted().toList();
  }

  public List<String> nodes() {
    return nodes;
  }

  public boolean isEmpty() {
    return nodes.isEmpty();
  }

  public String ownerOf(String key) {
    long keyHash = mix(key.hashCode());
    String owner = null;
    long best = Long.MIN_VALUE;
    for (String node : nodes) {
      long weight = mix(keyHash ^ mix(node.hashCode() * 0x9E3779B97F4A7C15L));
      if (owner == null || weight > best) {
        best = weight;
        owner = node;
      }
    }
    return owner;
  }

  /** SplitMix64 finaliser: String.hashCode is stable across JVMs but clusters badly on its own. */
  private static long mix(long value) {
    long z = value + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
