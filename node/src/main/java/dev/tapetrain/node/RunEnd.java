package dev.tapetrain.node;

/**
 * Whether this JVM's run has ended, for {@link LeftMemberFilter}: after it, a member going
 * unreachable is no news. Apart from the filter so that the code that starts and ends runs
 * (also an embedded run, whose application may log with another SLF4J binding) never loads a
 * Logback class.
 */
public final class RunEnd {

  private static volatile boolean ended;

  private RunEnd() {}

  /** This JVM's run has ended: members going unreachable from now on are not reported. */
  public static void runEnded() {
    ended = true;
  }

  /** A run starts in this JVM (an embedded caller may run several): report them again. */
  public static void runStarts() {
    ended = false;
  }

  /** Whether the last run of this JVM has ended. */
  static boolean ended() {
    return ended;
  }
}
