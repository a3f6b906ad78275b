package dev.tapetrain.benchmarks;

import java.util.List;

/**
 * {@link PeerBenchmark}'s jobs: what each trains, how, and against which peers. Its class
 * comment says what each job measures.
 */
final class PeerJobs {

  private PeerJobs() {}

  /**
   * A job: its name, samples, steps, local-runner workers (0: two worker JVMs), model, whether
   * to run it also with the C1-only option, whether {@link ActorFloorBenchmark} runs it, and
   * the peers that run it.
   */
  record Job(String name, long n, int steps, int workers, String model, boolean c1,
      boolean floor, List<String> peers, PeerData data) {

    /** Whether its loop is compiled at run time (not precompiled): then it also runs warm. */
    boolean warm() {
      return !model.equals("linear");
    }
  }

  private static final List<String> SINGLE_PROCESS_PEERS =
      List.of("numpy", "tf-function", "tf-xla", "torch");

  /** Every job, A to F (issue 15's goals read A, B and C: the first three). */
  static final List<Job> JOBS = List.of(
      new Job("A: N=1M, 200 steps, 1 worker", 1_000_000, 200, 1, "linear", true, false,
          SINGLE_PROCESS_PEERS, null),
      new Job("B: N=1000, 5000 steps, 4 workers", 1000, 5000, 4, "linear", true, true,
          SINGLE_PROCESS_PEERS, null),
      new Job("C: N=1000, 3000 steps, 2 JVMs/processes", 1000, 3000, 0, "linear", false, true,
          List.of("torch-ddp"), null),
      new Job("D: MLP 1-16-1, N=100k, 100 steps, 2 wkrs", 100_000, 100, 2, "mlp", false, false,
          SINGLE_PROCESS_PEERS, PeerData.mlpOneFeature()),
      new Job("E: softmax 50->10, N=100k, 30 steps, 2 wkrs", 100_000, 30, 2, "softmax", false,
          false, SINGLE_PROCESS_PEERS, PeerData.softmax50()),
      new Job("F: MLP 10-32-1, N=100k, 30 steps, 2 wkrs", 100_000, 30, 2, "mlp", false, false,
          SINGLE_PROCESS_PEERS, PeerData.mlp10()));

  /** The jobs whose letters {@code only} holds, in table order. */
  static List<Job> only(String only) {
    return JOBS.stream().filter(j -> only.indexOf(j.name().charAt(0)) >= 0).toList();
  }
}
