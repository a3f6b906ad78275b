package dev.tapetrain.coordinator;

/**
 * The round in progress as the coordinator's training phase holds it: the round, its answers so
 * far, when it started and since when its deadline runs (it runs again from a loss's moment,
 * for the chunks the loss moved).
 *
 * @param <W> a worker's handle
 */
record OpenRound<W>(Round round, Evaluation<W> evaluation, long startNanos,
    long deadlineFromNanos) {

  /** {@code round} started at {@code nowNanos}, its deadline running from then. */
  static <W> OpenRound<W> started(Round round, Evaluation<W> evaluation, long nowNanos) {
    return new OpenRound<>(round, evaluation, nowNanos, nowNanos);
  }

  /** The same round with its deadline running from {@code nanos}. */
  OpenRound<W> deadlineFrom(long nanos) {
    return new OpenRound<>(round, evaluation, startNanos, nanos);
  }
}
