package io.sagabus.node;

import io.sagabus.platform.config.ConfigException;
import io.sagabus.platform.config.ConfigLoader;
import io.sagabus.platform.config.NodeConfig;
import io.sagabus.platform.security.JwtSecurity;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
        "Mints an admin JWT signed with the configured key (security.jwtSecret / $SAGABUS_JWT_SECRET) and prints it.",
        "Use it as 'Authorization: Bearer <token>' on /api/admin/*. Exit codes: 0 printed, 2 bad input."})
final class TokenCommand implements Callable<Integer> {

  private static final Pattern TTL = Pattern.compile("(\\d+)([smhd])");
  private static final Duration MAX_TTL = Duration.ofDays(30);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--subject", required = true, paramLabel = "NAME", description = "Who the token is for (the 'sub' claim).")
  String subject;

  @Option(names = "--role", paramLabel = "ROLE", description = "A role to grant; repeat for more. Default: admin.")
  List<String> roles;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", description = "How long the token is valid: 30s, 15m, 1h, 7d. Default 1h, at most 30d.")
  String ttl;

  @Option(names = {"--profile", "-conf"}, paramLabel = "NAME|FILE",
      description = "Profile whose key to use. Default: $SAGABUS_PROFILE or embedded.")
  String profile;

  @Override
  public Integer call() {
    Duration validFor = parseTtl(ttl);
    if (validFor == null) {
      spec.commandLine().getErr().println("sagabus token: --ttl must be a number followed by s, m, h or d, at most 30d; got '" + ttl + "'");
      return ExitCodes.BAD_INPUT;
    }
    if (subject.isBlank()) {
      spec.commandLine().getErr().println("sagabus token: --subject must not be blank");
      return ExitCodes.BAD_INPUT;
    }
    NodeConfig config;
    String secret;
    try {
      config = ConfigLoader.load(profile, System.getenv(), Map.of());
      secret = JwtSecurity.secret(config);
      JwtSecurity.warnIfDevelopmentKey(config);
    } catch (ConfigException e) {
      return RunCommand.configError(e);
    }
    Vertx vertx = Vertx.vertx();
    try {
      List<String> granted = roles == null || roles.isEmpty() ? List.of(JwtSecurity.ADMIN_ROLE) : roles;
      spec.commandLine().getOut().println(JwtSecurity.mint(JwtSecurity.provider(vertx, secret), subject, granted, validFor));
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    } finally {
      vertx.close();
    }
  }

  static Duration parseTtl(String text) {
    Matcher matcher = TTL.matcher(text == null ? "" : text.trim());
    if (!matcher.matches()) {
      return null;
    }
    long amount;
    try {
      amount = Long.parseLong(matcher.group(1));
    } catch (NumberFormatException e) {
      return null;
    }
    Duration duration = switch (matcher.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(Math.min(amount, MAX_TTL.toMinutes() + 1));
      case "h" -> Duration.ofHours(Math.min(amount, MAX_TTL.toHours() + 1));
      default -> Duration.ofDays(Math.min(amount, MAX_TTL.toDays() + 1));
    };
    return duration.isZero() || duration.compareTo(MAX_TTL) > 0 ? null : duration;
  }
}
