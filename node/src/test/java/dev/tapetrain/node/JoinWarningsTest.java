package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Akka's warnings about an address a worker is still joining are dropped at the default level,
 * and only those: other addresses, other loggers, a joined worker and a raised level see them.
 */
class JoinWarningsTest {

  private static final String SEED = "akka://tapetrain@127.0.0.1:4599";

  private final LoggerContext context = new LoggerContext();
  private final JoinWarnings filter = new JoinWarnings();

  private FilterReply decide(String logger, Level level, String message) {
    return filter.decide(null, context.getLogger(logger), level, message, null, null);
  }

  @Test
  void warningsAboutTheSeedAreDroppedOnlyWhileJoiningAndAtTheDefaultLevel() {
    context.getLogger("ROOT").setLevel(Level.WARN);
    String round = "Cluster Node [akka://tapetrain@127.0.0.1:41505] - Joining of seed-nodes ["
        + SEED + "] was unsuccessful after configured shutdown-after-unsuccessful-join-seed-nodes"
        + " [3000 milliseconds]. Running CoordinatedShutdown.";
    String stream = "Outbound control stream to [" + SEED + "] failed. Restarting it.";
    assertEquals(FilterReply.NEUTRAL, decide("akka.cluster.Cluster", Level.WARN, round),
        "nobody joins yet");
    AtomicBoolean joining = new AtomicBoolean(true);
    try (QuietJoins.Joining j = QuietJoins.quietWhile(SEED, joining::get)) {
      assertEquals(FilterReply.DENY, decide("akka.cluster.Cluster", Level.WARN, round));
      assertEquals(FilterReply.DENY, decide("akka.remote.artery.Association", Level.WARN, stream));
      assertEquals(FilterReply.DENY, filter.decide(null,
          context.getLogger("akka.cluster.Cluster"), Level.WARN, "{}", new Object[] {round},
          null), "also as the one argument");
      assertEquals(FilterReply.NEUTRAL, decide("akka.cluster.Cluster", Level.WARN,
          round.replace(SEED, SEED + "9")), "another port that starts the same");
      assertEquals(FilterReply.NEUTRAL, decide("dev.tapetrain.Other", Level.WARN, round));
      assertEquals(FilterReply.NEUTRAL, decide("akka.cluster.Cluster", Level.ERROR, round));

      context.getLogger("ROOT").setLevel(Level.INFO);
      assertEquals(FilterReply.NEUTRAL, decide("akka.cluster.Cluster", Level.WARN, round),
          "a raised level shows them");
      context.getLogger("ROOT").setLevel(Level.WARN);

      joining.set(false);
      assertEquals(FilterReply.NEUTRAL, decide("akka.remote.artery.Association", Level.WARN,
          stream), "once joined, trouble with the coordinator is news");
    }
    assertEquals(FilterReply.NEUTRAL, decide("akka.cluster.Cluster", Level.WARN, round),
        "closed");
  }

  @Test
  void anAddressIsNamedOnlyWhenNoDigitFollows() {
    assertTrue(QuietJoins.names("to [" + SEED + "] failed", SEED));
    assertTrue(QuietJoins.names("seed-nodes=" + SEED, SEED));
    assertFalse(QuietJoins.names("to [" + SEED + "1] failed", SEED));
    assertTrue(QuietJoins.names(SEED + "1 and " + SEED + "]", SEED));
    assertFalse(QuietJoins.names(null, SEED));
  }

  @Test
  void itComesBeforeArteryWarningsSoWhatItDropsIsNotSummedUpLater() throws Exception {
    // Seen with the other order: a worker joining a silent port for 65 s ended with "1 more
    // Artery warning(s) in the last 60 s" from ArteryWarnings' summary of a repeat it counted.
    String xml;
    try (java.io.InputStream in = JoinWarnings.class.getClassLoader()
        .getResourceAsStream(dev.tapetrain.node.cli.LauncherLogging.CONFIGURATION)) {
      xml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("<turboFilter class=\"([^\"]+)\"").matcher(xml);
    assertTrue(m.find(), xml);
    assertEquals(JoinWarnings.class.getName(), m.group(1), "the first turbo filter");
  }
}
