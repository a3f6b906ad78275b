package dev.tapetrain.localrunner;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.coordinator.CoordinatorGuardian;
import dev.tapetrain.coordinator.RunSummary;
import dev.tapetrain.coordinator.TrainingRun;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.protocol.CoordinatorProtocol;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.data.ScanHandoff;
import dev.tapetrain.data.cache.ColumnCache;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.worker.MemoryCheck;
import dev.tapetrain.worker.ModelWatch;
import dev.tapetrain.worker.Worker;
import dev.tapetrain.worker.shard.ShardEvaluator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One JVM's run: an actor system with the coordinator and {@code --workers} worker actors on
 * {@code threads} threads (by default 1 while a step's work is at most that of
 * {@value #SAMPLES_PER_THREAD} samples of the tutorial's two-parameter model, else one per core). Shared by {@code local-runner} and the Java API ({@link dev.tapetrain.localrunner.api}),
 * so both train with the same engine and the same bits.
 */
public final class LocalLauncher implements TrainingRun.Launcher {

  /** More threads than this only add hand-offs (and the pool refuses far more). */
  public static final int MAX_THREADS = 256;

  /**
   * Small steps run fastest on one thread: no hand-offs, no wake-ups between actors. A step's
   * work is counted as samples × parameters ÷ 2 (the tutorial's model has two): a sample of
   * softmax 50 → 10 (510 parameters) costs as much as 255 of the tutorial's, and 100 000 of them
   * on one thread ran the two workers' passes one after the other (39 ms a step against 23 ms
   * on two threads, 2026-12-07).
   */
  static final long SAMPLES_PER_THREAD = 65_536;

  /** The tutorial's model's parameters (W and B): the unit of {@link #SAMPLES_PER_THREAD}. */
  private static final long UNIT_PARAMETERS = 2;

  private final Integer threads;
  private final Config extra;
  private final int workerThreads;
  private final ModelWatch watch = new ModelWatch();
  // What the workers do with their samples; check() turns auto into on when they cannot fit.
  private volatile CacheSettings cache;
  // Held workers that take every actor thread leave none for the coordinator.
  private volatile int busy = Integer.MAX_VALUE;
  // The model's parameters (check() counts them): a step's work per sample.
  private volatile long parameters = UNIT_PARAMETERS;

  /**
   * A launcher with {@code threads} actor threads (null: by the data's size) and {@code extra}
   * Akka settings over local-runner's own.
   */
  public LocalLauncher(Integer threads, Config extra) {
    this(threads, extra, CacheSettings.defaults());
  }

  /**
   * As {@link #LocalLauncher(Integer, Config)}, the workers keeping their samples in the column
   * cache as {@code cache} says.
   */
  public LocalLauncher(Integer threads, Config extra, CacheSettings cache) {
    this(threads, extra, cache, 1);
  }

  /**
   * As {@link #LocalLauncher(Integer, Config, CacheSettings)}, each worker evaluating its
   * chunks on {@code workerThreads} threads of its own ({@code --worker-threads}).
   */
  public LocalLauncher(Integer threads, Config extra, CacheSettings cache, int workerThreads) {
    this.threads = threads;
    this.extra = extra;
    this.cache = cache;
    this.workerThreads = workerThreads;
    // The workers share this JVM with the scan: its parsed values can be theirs (ScanHandoff),
    // unless the samples are bound for the column cache anyway. A quarter of the heap at most,
    // so the scan's copy and the workers' own fit together with room to spare.
    ScanHandoff.enable(cache.mode() == CacheSettings.Mode.ON ? 0
        : Runtime.getRuntime().maxMemory() / HANDOFF_SHARE);
  }

  /** The scan keeps at most this fraction (1/n) of the heap for the workers. */
  static final int HANDOFF_SHARE = 4;

  @Override
  public ActorSystem<?> launch(RunSpec spec, Behavior<CoordinatorProtocol.Command> coordinator,
      CompletableFuture<RunSummary> done) {
    int n = threadsFor(spec, Runtime.getRuntime().availableProcessors());
    busy = Math.min(n, spec.workers());
    compileAhead(spec);
    return ActorSystem.create(CoordinatorGuardian.create(coordinator, done, ctx -> {
      for (int i = 1; i <= spec.workers(); i++) {
        ctx.spawn(Worker.create(stop -> { }, watch, cache, workerThreads), "worker-" + i);
      }
    }), "tapetrain", extra.withFallback(config(n)));
  }

  /**
   * Starts compiling the model's loop, when the run is long enough to want it, while the actor
   * system starts and the workers load: one compile for all of them, as they share this JVM's
   * loops. {@code spec.steps()} is the plan's rounds ahead of its first (the updates of every
   * epoch, for a plan of epochs; a resumed run has fewer left, so this may compile for a run
   * about to end: only time).
   *
   * @return the compile under way, or null if none was started
   */
  static java.util.concurrent.Future<?> compileAhead(RunSpec spec) {
    return ShardEvaluator.compileAhead(spec.dataset(), spec.model(), spec.steps(),
        spec.dataset().examples() / spec.workers());
  }

  @Override
  public Optional<TrainingRun.Held> held() {
    return watch.longest(busy)
        .map(h -> new TrainingRun.Held(h.worker(), h.round(), h.sinceNanos()));
  }

  @Override
  public void check(RunSpec spec) {
    // The model must exist on this class path and take its options (a bad one is refused
    // here, with the available names, before a run directory exists).
    parameters = ShardEvaluator.createModel(spec.model(), spec.dataset()).parameters().stream()
        .mapToLong(Parameter::size).sum();
    // Every worker of this JVM shares its heap: all samples must fit at once, or all go to
    // the column cache (decided here once, not by each worker against what the others left).
    boolean fits = MemoryCheck.fits(spec.dataset(), spec.dataset().examples());
    if (!fits && ScanHandoff.heldBytes() > 0) {
      // The scan's copy must never make data that fit without it not fit: drop it, and let the
      // heap show the room it leaves before deciding.
      ScanHandoff.release();
      System.gc();
      fits = MemoryCheck.fits(spec.dataset(), spec.dataset().examples());
    }
    if (ColumnCache.wanted(cache, spec.dataset().source(), fits)) {
      ScanHandoff.release(); // the workers read the files into the cache
      ColumnCache.checkDirectory(cache);
      cache = cache.on();
      return;
    }
    boolean cacheable = ColumnCache.cacheable(spec.dataset().source());
    // The option that made the samples: --examples for synthetic data, else the files.
    MemoryCheck.require(DatasetSpec.SYNTHETIC.equals(spec.dataset().source().format())
        ? "--examples " + spec.dataset().examples() : "--data", spec.dataset(),
        spec.dataset().examples(), "spread the data over worker processes on other machines "
            + "(coordinator.jar and worker.jar)" + (cacheable && cache.mode()
            != CacheSettings.Mode.ON ? ", or keep them in the column cache (--cache on)" : ""));
  }

  /** The actor threads for {@code spec} on {@code cores} (after {@link #check} saw its model). */
  int threadsFor(RunSpec spec, int cores) {
    return threadsFor(spec.dataset().examples(), parameters, threads, cores);
  }

  /**
   * The actor threads for {@code examples} samples of a model with {@code parameters}: {@code
   * chosen} if given (--threads), else one per {@link #SAMPLES_PER_THREAD} samples' work, at
   * least 1 and at most {@code cores}.
   */
  static int threadsFor(long examples, long parameters, Integer chosen, int cores) {
    if (chosen != null) {
      return chosen;
    }
    double work = (double) examples * Math.max(UNIT_PARAMETERS, parameters) / UNIT_PARAMETERS;
    return (int) Math.max(1, Math.min(cores, work / SAMPLES_PER_THREAD));
  }

  static Config config(int threads) {
    return ConfigFactory.parseString(
            "akka.actor.default-dispatcher.fork-join-executor.parallelism-min = " + threads
                + "\nakka.actor.default-dispatcher.fork-join-executor.parallelism-max = "
                + threads)
        .withFallback(ConfigFactory.load("tapetrain-local"));
  }
}
