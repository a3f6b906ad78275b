package dev.tapetrain.node.cli;

import org.slf4j.LoggerFactory;

/**
 * Logging of tapetrain's own commands. No tapetrain jar carries a {@code logback.xml}: an
 * application that embeds tapetrain (the Java API) configures its own logging, with the SLF4J
 * binding it chooses, and Logback would take a {@code logback.xml} of ours for its own. Each
 * command's {@code main} calls {@link #start()} first instead, which points Logback at
 * tapetrain's configuration ({@link #CONFIGURATION}: warnings and up on stderr, the turbo
 * filters that sum up repeated warnings, the level from {@code -D}{@value Cli#LOG_LEVEL}) unless
 * the user named one with {@code -D}{@value #PROPERTY}.
 */
public final class LauncherLogging {

  /** The class-path resource of tapetrain's Logback configuration for its commands. */
  public static final String CONFIGURATION = "dev/tapetrain/node/logback-launcher.xml";

  /** The system property Logback reads its configuration's location from. */
  public static final String PROPERTY = "logback.configurationFile";

  private LauncherLogging() {}

  /**
   * Names tapetrain's configuration unless the user named one, then initialises logging: before
   * any thread logs, or SLF4J prints a replay warning. Only a command's {@code main} calls this,
   * before it creates any logger; never the Java API.
   */
  public static void start() {
    if (System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, CONFIGURATION);
    }
    LoggerFactory.getILoggerFactory();
  }
}
