package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.core.spi.FilterReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One line per kind and interval, the rest summed up, on a clock the test moves (no sleeps);
 * and the names TLS peers must match.
 */
class LogSummaryTest {

  private static final Duration MINUTE = Duration.ofMinutes(1);

  /** A clock in nanoseconds that moves only when told. */
  private static final class Clock {
    final AtomicLong now = new AtomicLong(1_000_000_000L);

    long nanos() {
      return now.get();
    }

    void advance(Duration d) {
      now.addAndGet(d.toNanos());
    }
  }

  /** The events a summary line counts: the number it starts with. */
  private static long counted(String line) {
    return Long.parseLong(line.substring(0, line.indexOf(' ')));
  }

  @Test
  void theFirstOfEachKindIsLoggedAndTheRestSummedUpInOneLine() {
    List<String> lines = new ArrayList<>();
    Clock clock = new Clock();
    try (LogSummary summary = new LogSummary("refused connection(s)", MINUTE, lines::add,
        clock::nanos, false)) {
      assertTrue(summary.first("too slow"));
      for (int i = 0; i < 1000; i++) {
        assertFalse(summary.first("too slow"));
      }
      assertTrue(summary.first("over the cap"));
      assertFalse(summary.first("over the cap"));
      summary.flush();
      assertEquals(List.of("1001 more refused connection(s) in the last 60 s, not logged one "
          + "by one (1 × over the cap, 1000 × too slow)"), lines);
      summary.flush();
      assertEquals(1, lines.size(), "nothing to sum up, no line");
      assertTrue(summary.first("too slow"), "a new interval logs the first again");
      assertFalse(summary.first("too slow"));
    }
    assertEquals(2, lines.size(), "close sums up what is left");
    assertEquals(1, counted(lines.get(1)));
  }

  @Test
  void eachKindIsLoggedOnceAMinuteByTheClockAndTheMinuteBeforeIsSummedUpFirst() {
    List<String> lines = new ArrayList<>();
    Clock clock = new Clock();
    try (LogSummary summary = new LogSummary("warning(s)", MINUTE, lines::add, clock::nanos,
        false)) {
      assertTrue(summary.first("a"));
      clock.advance(Duration.ofSeconds(59));
      assertFalse(summary.first("a"), "59 s later: still the same minute");
      assertFalse(summary.first("a"));
      assertTrue(summary.first("b"), "another kind has its own first line");
      assertTrue(lines.isEmpty(), "no summary before the minute is over");
      clock.advance(Duration.ofSeconds(1));
      assertTrue(summary.first("a"), "a minute after the first: logged again");
      assertEquals(List.of("2 more warning(s) in the last 60 s, not logged one by one (2 × a)"),
          lines, "the minute before is summed up before the new minute's first line");
      assertTrue(summary.first("b"), "the new minute has begun for every kind");
      assertFalse(summary.first("b"));
      summary.flushIfDue();
      assertEquals(1, lines.size(), "the timer's check sums up nothing before the minute ends");
      clock.advance(MINUTE);
      summary.flushIfDue();
      assertEquals(2, lines.size(), "the timer's check sums up a minute without events");
      assertEquals("1 more warning(s) in the last 60 s, not logged one by one (1 × b)",
          lines.get(1));
    }
    assertEquals(2, lines.size(), "nothing left at close");
  }

  @Test
  void noCountIsLostWhileEventsRaceWithSummariesAndTheClock() throws Exception {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Clock clock = new Clock();
    int threads = 4;
    int events = 20_000;
    AtomicLong logged = new AtomicLong();
    LogSummary summary = new LogSummary("event(s)", MINUTE, lines::add, clock::nanos, false);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String kind = "kind " + (t % 2);
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < events; i++) {
          if (summary.first(kind)) {
            logged.incrementAndGet();
          }
          if (i % 1000 == 0) {
            clock.advance(Duration.ofSeconds(20)); // minutes end while others log
          }
        }
      });
      thread.start();
      all.add(thread);
    }
    Thread flusher = new Thread(() -> {
      while (all.stream().anyMatch(Thread::isAlive)) {
        summary.flush();
        summary.flushIfDue();
      }
    });
    go.countDown();
    flusher.start();
    for (Thread t : all) {
      t.join();
    }
    flusher.join();
    summary.close();
    assertTrue(summary.first("after close"), "an event after close is logged, not counted");
    long summed = lines.stream().mapToLong(LogSummaryTest::counted).sum();
    assertEquals((long) threads * events, logged.get() + summed,
        "every event is either logged or counted in a summary");
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
  void arteryWarningsPassTheFirstOfEachKindAndDenyTheRepeats() {
    ch.qos.logback.classic.Logger decoder = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("akka.remote.artery.Decoder");
    ch.qos.logback.classic.Logger ours = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("dev.tapetrain.node.FrameGuard");
    ArteryWarnings filter = new ArteryWarnings();
    filter.start();
    try {
      String junk = "Couldn't decompress sender from originUid [%d]. Originally sent to [..]";
      assertEquals(FilterReply.NEUTRAL, filter.decide(null, decoder, Level.WARN,
          String.format(junk, 1), null, null), "the first of its kind is logged");
      for (int i = 2; i < 100; i++) {
        assertEquals(FilterReply.DENY, filter.decide(null, decoder, Level.WARN,
            String.format(junk, i), null, null), "a repeat is counted, not logged");
      }
      assertEquals(FilterReply.NEUTRAL, filter.decide(null, decoder, Level.WARN,
          "Dropping message due to: java.nio.BufferUnderflowException", null, null),
          "another kind has its own first line");
      assertEquals(FilterReply.NEUTRAL, filter.decide(null, decoder, Level.ERROR,
          String.format(junk, 1), null, null), "errors are never held back");
      assertEquals(FilterReply.NEUTRAL, filter.decide(null, ours, Level.WARN,
          String.format(junk, 1), null, null), "only Artery's warnings are summed up here");
    } finally {
      filter.stop();
    }
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
