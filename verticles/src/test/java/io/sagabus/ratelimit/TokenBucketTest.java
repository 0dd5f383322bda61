package io.sagabus.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private final BucketPolicy sixtyPerMinuteBurstTen = new BucketPolicy("free", 60, 60, 10);

  @Test
  void fullBucket_admitsItsBurstThenRefillsOneTokenPerSecond() {
    TokenBucket bucket = TokenBucket.full(sixtyPerMinuteBurstTen, 0);
    for (int i = 0; i < 10; i++) {
      assertThat(bucket.take(sixtyPerMinuteBurstTen, 1, 0).allowed()).as("request %d of the burst", i + 1).isTrue();
    }
    Decision eleventh = bucket.take(sixtyPerMinuteBurstTen, 1, 0);
    assertThat(eleventh.allowed()).isFalse();
    assertThat(eleventh.retryAfterSeconds()).isEqualTo(1);
    assertThat(bucket.take(sixtyPerMinuteBurstTen, 1, 999).allowed()).isFalse();
    assertThat(bucket.take(sixtyPerMinuteBurstTen, 1, 1_000).allowed()).isTrue();
    assertThat(bucket.take(sixtyPerMinuteBurstTen, 1, 1_000).allowed()).isFalse();
  }

  @Test
  void decision_reportsRemainingWholeTokensAndSecondsUntilFull() {
    TokenBucket bucket = TokenBucket.full(sixtyPerMinuteBurstTen, 0);
    Decision first = bucket.take(sixtyPerMinuteBurstTen, 3, 0);
    assertThat(first.remaining()).isEqualTo(7);
    assertThat(first.resetSeconds()).isEqualTo(3);
    Decision later = bucket.take(sixtyPerMinuteBurstTen, 1, 1_500);
    assertThat(later.remaining()).isEqualTo(7);
    assertThat(later.tokensLeft()).isCloseTo(7.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(later.resetSeconds()).isEqualTo(3);
  }

  @Test
  void clockRunningBackwards_refillsNothing() {
    TokenBucket bucket = TokenBucket.full(sixtyPerMinuteBurstTen, 10_000);
    for (int i = 0; i < 10; i++) {
      bucket.take(sixtyPerMinuteBurstTen, 1, 10_000);
    }
    assertThat(bucket.take(sixtyPerMinuteBurstTen, 1, 5_000).allowed()).isFalse();
    assertThat(bucket.take(sixtyPerMinuteBurstTen, 1, 10_999).allowed()).isFalse();
    assertThat(bucket.take(sixtyPerMinuteBurstTen, 1, 11_000).allowed()).isTrue();
  }
}
