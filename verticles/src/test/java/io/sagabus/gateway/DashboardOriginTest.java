package io.sagabus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which browser origins may open the dashboard socket: only the page's own. */
class DashboardOriginTest {

  @Test
  void sameHostAndPort_isAccepted_inAnyCase_overHttpOrHttps() {
    assertThat(DashboardRoutes.sameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080")).isTrue();
    assertThat(DashboardRoutes.sameOrigin("https://Dash.Example.com", "dash.example.com")).isTrue();
  }

  @Test
  void anotherHost_anotherPort_oddScheme_orGarbage_isRefused() {
    assertThat(DashboardRoutes.sameOrigin("http://evil.example", "127.0.0.1:8080")).isFalse();
    assertThat(DashboardRoutes.sameOrigin("http://127.0.0.1:9999", "127.0.0.1:8080")).isFalse();
    assertThat(DashboardRoutes.sameOrigin("http://127.0.0.1.evil.example:8080", "127.0.0.1:8080")).isFalse();
    assertThat(DashboardRoutes.sameOrigin("file://127.0.0.1:8080", "127.0.0.1:8080")).isFalse();
    assertThat(DashboardRoutes.sameOrigin("null", "127.0.0.1:8080")).isFalse();
    assertThat(DashboardRoutes.sameOrigin("http://[bad", "127.0.0.1:8080")).isFalse();
    assertThat(DashboardRoutes.sameOrigin("http://127.0.0.1:8080", null)).isFalse();
  }

  @Test
  void noOrigin_meansNoBrowser_andIsAccepted() {
    assertThat(DashboardRoutes.sameOrigin(null, "127.0.0.1:8080")).isTrue();
  }
}
