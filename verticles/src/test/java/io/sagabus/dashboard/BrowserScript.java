package io.sagabus.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code web-dashboard/test/e2e.mjs} (playwright-core driving Debian's chromium) and captures its output. */
final class BrowserScript {

  static final Path SCRIPT_DIR = Path.of("..", "web-dashboard", "test").toAbsolutePath().normalize();
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

  record Result(int exitCode, String output) {}

  private BrowserScript() {}

  /** Fails fast, naming what to install, when the browser or the npm packages are missing. */
  static void checkInstalled() {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new IllegalStateException(CHROMIUM + " is missing: apt-get install -y chromium (see .ci/run)");
    }
    if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core"))) {
      throw new IllegalStateException("playwright-core is missing: npm ci --prefix web-dashboard/test (see .ci/run)");
    }
  }

  static Result run(String baseUrl, Path screenshot, Map<String, String> env, long timeoutSeconds) throws IOException, InterruptedException {
    Files.createDirectories(screenshot.getParent());
    Path output = Files.createTempFile("sagabus-e2e-", ".out");
    ProcessBuilder builder = new ProcessBuilder("node", SCRIPT_DIR.resolve("e2e.mjs").toString(), baseUrl, screenshot.toString())
        .directory(SCRIPT_DIR.toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      return new Result(-1, Files.readString(output, StandardCharsets.UTF_8) + "\n(timed out after " + timeoutSeconds + " s)");
    }
    return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }
}
