package dev.tapetrain.coordinator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr while a run trains (steps done, steps/s, elapsed and remaining time,
 * the current loss), drawn by {@code me.tongfei:progressbar}. Only when it helps: the process's
 * stderr is a terminal and steps are not all printed anyway ({@code --log-every} above 1); logs
 * and CI output never get one ({@link #forTerminal}).
 *
 * <p>Lines printed while the bar is up go through {@link #above}: the bar's line is cleared, the
 * lines are printed, the bar is drawn again below them from the current step (never a stale
 * frame). The bar starts with training (the first loss), so joining and loading do not count
 * into its speed, and its line is cleared at the end instead of staying in the scrollback.
 */
public final class ProgressReporter implements TrainingListener, AutoCloseable {

  private final Line line;
  private final long steps;
  private final long start;
  private ProgressBar bar;
  private long startNanos;
  private boolean closed;

  private ProgressReporter(PrintStream err, long steps, long start) {
    this.line = new Line(err);
    this.steps = steps;
    this.start = start;
  }

  /** The bar, from the first loss of the run on. */
  private synchronized ProgressBar bar() {
    if (bar == null && !closed) {
      bar = new ProgressBarBuilder()
          .setTaskName("train")
          .setInitialMax(steps)
          .startsFrom(start, Duration.ZERO)
          .setUnit(" steps", 1)
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(250)
          .setConsumer(line)
          .continuousUpdate()
          .build();
      line.bar = bar;
      startNanos = System.nanoTime();
      bar.refresh(); // drawn at once: the first step's line goes above it
    }
    return bar;
  }

  /**
   * A progress bar for a run of {@code steps} steps starting after {@code start}, or null when
   * none should be shown: {@code err} is not the process's stderr, stderr is not a terminal, or
   * every step is printed ({@code logEvery} 1).
   */
  public static ProgressReporter forTerminal(PrintStream err, int logEvery, long steps,
      long start) {
    if (logEvery <= 1 || err != System.err || !stderrIsTerminal()) {
      return null;
    }
    return new ProgressReporter(err, steps, start);
  }

  /**
   * Whether file descriptor 2 is a terminal. On Linux from {@code /proc/self/fd/2} (a terminal
   * device: {@code /dev/pts/N}, {@code /dev/ttyN}); elsewhere Java can only tell that the
   * process has a console at all.
   */
  static boolean stderrIsTerminal() {
    Path fd = Path.of("/proc/self/fd/2");
    if (Files.exists(Path.of("/proc/self/fd"))) {
      try {
        String target = Files.readSymbolicLink(fd).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      } catch (IOException | UnsupportedOperationException e) {
        return false;
      }
    }
    return System.console() != null;
  }

  /** Columns of the terminal: {@code $COLUMNS}, else {@code stty size} of /dev/tty, else 80. */
  static int terminalWidth() {
    try {
      int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", ""));
      if (columns >= 20) {
        return columns;
      }
    } catch (NumberFormatException notSet) {
      // Ask the terminal.
    }
    try {
      Process p = new ProcessBuilder("stty", "size")
          .redirectInput(new java.io.File("/dev/tty"))
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!p.waitFor(1, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return 80;
      }
      String[] size = new String(p.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.US_ASCII).trim().split("\\s+");
      int columns = size.length == 2 ? Integer.parseInt(size[1]) : 0;
      return columns >= 20 ? columns : 80; // a pseudo-terminal without a size says 0
    } catch (IOException | NumberFormatException e) {
      return 80;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 80;
    }
  }

  /** Prints with {@code print} above the bar. */
  public void above(Runnable print) {
    line.above(print);
  }

  @Override
  public void on(TrainingEvent event) {
    if (event instanceof TrainingEvent.InitialLoss || event instanceof TrainingEvent.Resumed) {
      bar();
    } else if (event instanceof TrainingEvent.Step s) {
      ProgressBar b = bar();
      if (b != null) {
        long done = s.record().step() + 1;
        b.stepTo(done);
        // The speed of this run's steps from the first loss on (the library's own says "?" for
        // its first second and counts from before training).
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String speed = seconds > 0 && done > start ? String.format(Locale.ROOT, " %.4g steps/s,",
            (done - start) / seconds) : "";
        b.setExtraMessage(String.format(Locale.ROOT, "%s loss %.4g", speed,
            s.record().loss()));
      }
    } else if (event instanceof TrainingEvent.Finished) {
      close();
    }
  }

  /** Stops the bar and clears its line; later calls do nothing. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (bar != null) {
        bar.close();
      }
    }
  }

  /** The bar's line on stderr, shared with lines printed above it. */
  private static final class Line extends ConsoleProgressBarConsumer {
    private final PrintStream err;
    private String last;
    private ProgressBar bar;

    Line(PrintStream err) {
      // With the width given, the library never opens a JLine terminal (whose native loader
      // warns on JDK 24+).
      super(err, terminalWidth() - 1);
      this.err = err;
    }

    @Override
    public synchronized void accept(String rendered) {
      // Back to the line's start, the bar, then clear what a longer bar left behind.
      err.print('\r' + rendered + "\033[K");
      err.flush();
      last = rendered;
    }

    synchronized void above(Runnable print) {
      if (last != null) {
        err.print("\r\033[K");
        err.flush();
      }
      print.run();
      if (last != null && bar != null) {
        bar.refresh(); // the current step, not the frame drawn before these lines
      }
    }

    @Override
    public synchronized void close() {
      // Clears the bar's line: the final frame would stay in the scrollback between the last
      // step line and the final loss.
      if (last != null) {
        err.print("\r\033[K");
        err.flush();
      }
      last = null;
    }
  }
}
