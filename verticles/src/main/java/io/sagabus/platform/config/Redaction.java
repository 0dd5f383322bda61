package io.sagabus.platform.config;

/** Keeps secrets out of logs and error messages. */
public final class Redaction {

  private Redaction() {}

  /** Replaces the password of a {@code scheme://user:password@host} URL with {@code ***}. */
  public static String url(String url) {
    return url.replaceAll("(://[^:/@]*:)[^@/]*@", "$1***@");
  }
}
