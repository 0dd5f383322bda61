package io.sagabus.perf;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.sagabus.ratelimit.BucketPolicy;
import io.sagabus.ratelimit.LocalBuckets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decision in a local bucket: sagabus's {@link LocalBuckets} (keyed map + refill + take, as the owner node runs
 * it) against a Bucket4j local bucket looked up in a map of the same size. Same shape: quota per second = burst.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class LocalDecisionBenchmark {

  @Param({"1", "10000"})
  public int keys;

  private static final int QUOTA = 1_000_000;
  private final BucketPolicy policy = new BucketPolicy("bench", QUOTA, 1, QUOTA);
  private LocalBuckets sagabus;
  private Map<String, Bucket> bucket4j;
  private String[] keyNames;
  private int next;

  @Setup
  public void setUp() {
    sagabus = new LocalBuckets(System::currentTimeMillis);
    bucket4j = new HashMap<>();
    keyNames = new String[keys];
    for (int i = 0; i < keys; i++) {
      keyNames[i] = "t:k:client-" + i;
      bucket4j.put(keyNames[i], Bucket.builder()
          .addLimit(Bandwidth.builder().capacity(QUOTA).refillGreedy(QUOTA, Duration.ofSeconds(1)).build())
          .build());
    }
  }

  @Benchmark
  public boolean sagabusLocalBuckets() {
    return sagabus.decide(nextKey(), policy, 1).allowed();
  }

  @Benchmark
  public boolean bucket4jLocalBucket() {
    return bucket4j.get(nextKey()).tryConsume(1);
  }

  private String nextKey() {
    String key = keyNames[next];
    next = next + 1 == keyNames.length ? 0 : next + 1;
    return key;
  }
}
