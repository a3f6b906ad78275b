package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One line per kind and interval, the rest summed up; and the names TLS peers must match. */
class LogSummaryTest {

  @Test
  void theFirstOfEachKindIsLoggedAndTheRestSummedUpInOneLine() {
    List<String> lines = new ArrayList<>();
    try (LogSummary summary = new LogSummary("refused connection(s)", Duration.ofHours(1),
        lines::add)) {
      assertTrue(summary.first("too slow"));
      for (int i = 0; i < 1000; i++) {
        assertFalse(summary.first("too slow"));
      }
      assertTrue(summary.first("over the cap"));
      assertFalse(summary.first("over the cap"));
      summary.flush();
      assertEquals(List.of("1001 more refused connection(s) in the last 3600 s, not logged one "
          + "by one (1 × over the cap, 1000 × too slow)"), lines);
      summary.flush();
      assertEquals(1, lines.size(), "nothing to sum up, no line");
      assertTrue(summary.first("too slow"), "a new interval logs the first again");
      assertFalse(summary.first("too slow"));
    }
    assertEquals(2, lines.size(), "close sums up what is left");
  }

  @Test
  void arteryWarningsOfOneKindDifferOnlyInTheirDetails() {
    String logger = "akka.remote.artery.Decoder";
    assertEquals(ArteryWarnings.kind(logger, "Couldn't decompress sender from originUid [1]."),
        ArteryWarnings.kind(logger, "Couldn't decompress sender from originUid [-77]. x"));
    assertFalse(ArteryWarnings.kind(logger, "Dropping message due to: java.nio.Buffer")
        .equals(ArteryWarnings.kind(logger, "Couldn't decompress sender from originUid [1]")));
  }

  @Test
  void allowedNamePatternsMatchWholeNamesWithStarsOnly() {
    assertTrue(PeerTrust.glob("tapetrain-*").matcher("tapetrain-node").matches());
    assertTrue(PeerTrust.glob("tapetrain-*").matcher("TAPETRAIN-Node").matches());
    assertFalse(PeerTrust.glob("tapetrain-*").matcher("evil.example.com").matches());
    assertFalse(PeerTrust.glob("tapetrain-*").matcher("x-tapetrain-node").matches());
    assertTrue(PeerTrust.glob("*.nodes.example.com").matcher("a.nodes.example.com").matches());
    assertFalse(PeerTrust.glob("a.b").matcher("axb").matches(), "a dot is a dot");
  }
}
