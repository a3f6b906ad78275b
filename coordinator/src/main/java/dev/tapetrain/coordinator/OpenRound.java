package dev.tapetrain.coordinator;

/**
 * The round in progress as the coordinator's training phase holds it: the round, its answers so
 * far, when it started and since when its deadline runs (it runs again from a loss's moment,
 * for the chunks the loss moved), and the updates applied before it (what its step is called,
 * {@link RoundNames}).
 *
 * @param <W> a worker's handle
 */
record OpenRound<W>(Round round, Evaluation<W> evaluation, long startNanos,
    long deadlineFromNanos, long updatesBefore) {

  /** {@code round} started at {@code nowNanos} after {@code updates} updates. */
  static <W> OpenRound<W> started(Round round, Evaluation<W> evaluation, long nowNanos,
      long updates) {
    return new OpenRound<>(round, evaluation, nowNanos, nowNanos, updates);
  }

  /** The same round with its deadline running from {@code nanos}. */
  OpenRound<W> deadlineFrom(long nanos) {
    return new OpenRound<>(round, evaluation, startNanos, nanos, updatesBefore);
  }
}
