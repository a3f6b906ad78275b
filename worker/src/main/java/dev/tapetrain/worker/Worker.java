package dev.tapetrain.worker;

import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.CoordinatorProtocol.GradientsComputed;
import dev.tapetrain.protocol.CoordinatorProtocol.ModelFailed;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardAssigned;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardRejected;
import dev.tapetrain.protocol.WireLimits;
import dev.tapetrain.protocol.WorkerProtocol;
import dev.tapetrain.protocol.WorkerProtocol.AssignShard;
import dev.tapetrain.protocol.WorkerProtocol.Command;
import dev.tapetrain.protocol.WorkerProtocol.ComputeGradients;
import dev.tapetrain.protocol.WorkerProtocol.StopWork;
import dev.tapetrain.models.ModelFailure;
import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.data.cache.ColumnCache;
import dev.tapetrain.worker.shard.EvaluationThreads;
import dev.tapetrain.worker.shard.ModelLayouts;
import dev.tapetrain.worker.shard.ShardEvaluator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A worker: registers with the Receptionist, loads the chunks the coordinator assigns, and
 * answers each {@link ComputeGradients} with the sums of the chunks asked for.
 *
 * <p>Phases: {@link #idle()} until a shard is assigned, then {@link #serving}. Numbers are
 * computed by {@link ShardEvaluator}; this class only moves messages. What goes wrong in a round
 * is answered, never let to stop the actor: data or parameters that do not fit and running out
 * of memory with {@link ShardRejected} (this worker cannot serve), the model's own code throwing
 * or returning null with {@link ModelFailed} (no worker could: the run ends). Each round's
 * evaluation is noted in a {@link ModelWatch}, where a watchdog sees a model that never returns.
 *
 * <p>With {@code --worker-threads N} above 1 the worker owns a pool of N threads
 * ({@link EvaluationThreads}) that evaluates each round's chunks; the actor's own thread waits
 * for them, as it waited for its own evaluation before, and the pool stops with the actor.
 */
public final class Worker {

  private final ActorContext<Command> context;
  private final Consumer<StopWork> onStop;
  private final ModelWatch.Slot watch;
  private final long maxValuesPerMessage;
  private final CacheSettings cache;
  private final EvaluationThreads threads;

  private Worker(ActorContext<Command> context, Consumer<StopWork> onStop, ModelWatch watch,
      CacheSettings cache, int threads) {
    this.context = context;
    this.cache = cache;
    this.threads = threads == 1 ? EvaluationThreads.ONE
        : new EvaluationThreads(threads, context.getSelf().path().name());
    this.onStop = onStop;
    this.watch = watch.slot(context.getSelf().path().toString());
    this.maxValuesPerMessage = WireLimits.maxValuesPerMessage(
        context.getSystem().settings().config());
  }

  /** A worker that registers itself under {@link WorkerProtocol#SERVICE_KEY}. */
  public static Behavior<Command> create() {
    return create(stop -> { });
  }

  /** A worker that notes each round's evaluation in {@code watch}. */
  public static Behavior<Command> create(ModelWatch watch) {
    return create(stop -> { }, watch);
  }

  /**
   * A worker that also hands {@code onStop} what the coordinator said when it told it to stop
   * (its outcome says whether the job ended well).
   */
  public static Behavior<Command> create(Consumer<StopWork> onStop) {
    return create(onStop, ModelWatch.NONE);
  }

  /** A worker with {@code onStop} (see {@link #create(Consumer)}) and {@code watch}. */
  public static Behavior<Command> create(Consumer<StopWork> onStop, ModelWatch watch) {
    return create(onStop, watch, CacheSettings.defaults());
  }

  /**
   * A worker with {@code onStop} and {@code watch} that keeps its samples in the column cache
   * as {@code cache} says (by default: when its share does not fit its heap).
   */
  public static Behavior<Command> create(Consumer<StopWork> onStop, ModelWatch watch,
      CacheSettings cache) {
    return create(onStop, watch, cache, 1);
  }

  /**
   * As {@link #create(Consumer, ModelWatch, CacheSettings)}, evaluating each round's chunks on
   * {@code threads} threads of its own ({@code --worker-threads}; 1: on the actor's thread).
   *
   * @throws IllegalArgumentException unless {@code 1 ≤ threads ≤ }{@link EvaluationThreads#MAX}
   */
  public static Behavior<Command> create(Consumer<StopWork> onStop, ModelWatch watch,
      CacheSettings cache, int threads) {
    if (threads < 1 || threads > EvaluationThreads.MAX) {
      throw new IllegalArgumentException("--worker-threads must be between 1 and "
          + EvaluationThreads.MAX + ", got " + threads);
    }
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist()
          .tell(Receptionist.register(WorkerProtocol.SERVICE_KEY, ctx.getSelf()));
      return new Worker(ctx, onStop, watch, cache, threads).idle();
    });
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessage(AssignShard.class, this::onAssignShard)
        .onMessage(ComputeGradients.class, this::onComputeWithoutShard)
        .onMessage(StopWork.class, this::onStopWork)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> serving(ShardEvaluator shard) {
    return Behaviors.receive(Command.class)
        .onMessage(AssignShard.class, m -> onAssignShard(shard, m))
        .onMessage(ComputeGradients.class, m -> onComputeGradients(shard, m))
        .onMessage(StopWork.class, this::onStopWork)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  /** However the actor stops (told to, or its system ending), its evaluation threads stop. */
  private Behavior<Command> onPostStop(PostStop signal) {
    threads.close();
    return Behaviors.same();
  }

  private Behavior<Command> onAssignShard(AssignShard m) {
    return onAssignShard(null, m);
  }

  /**
   * Loads the assigned chunks; a worker taken back by its coordinator (after a network blip)
   * keeps the chunks it holds and loads only the missing ones.
   */
  private Behavior<Command> onAssignShard(ShardEvaluator held, AssignShard m) {
    try {
      long samples = 0;
      for (int c : m.chunks()) {
        samples += m.dataset().chunkLength(c);
      }
      boolean keep = held != null && held.serves(m.dataset(), m.model());
      boolean offHeap = !keep && offHeap(m, samples);
      if (!keep && !offHeap) {
        MemoryCheck.require("worker", m.dataset(), samples,
            "start more workers so each holds fewer samples, or let them use the column "
                + "cache (--cache auto)");
      }
      ShardEvaluator shard = keep ? held : new ShardEvaluator(m.dataset(), m.model(),
          offHeap ? cache : null, note -> context.getLog().info("{}", note), threads);
      if (!keep) {
        shard.compileAhead(m.roundsAhead(), samples);
      }
      String digest = shard.ensureLoaded(m.chunks());
      context.getLog().debug("loaded [{}] chunks", m.chunks().size());
      if (shard.lastReads() != null) {
        // Once per shard: what it read, so a user sees the bytes follow the worker's share.
        context.getLog().info("{}", shard.lastReads().describe());
      }
      m.replyTo().tell(new ShardAssigned(context.getSelf(), m.chunks(), digest,
          ModelLayouts.of(m.model(), shard.model())));
      return serving(shard);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) { // UserError included
      context.getLog().error("cannot load shard: {}", e.getMessage());
      m.replyTo().tell(new ShardRejected(context.getSelf(), e.getMessage()));
      return idle();
    } catch (OutOfMemoryError e) {
      // The failed allocation was never made and the half-loaded shard is garbage now: refuse
      // cleanly instead of taking the JVM down.
      String why = "out of memory loading " + m.chunks().size() + " chunks (-Xmx "
          + MemoryCheck.size(Runtime.getRuntime().maxMemory()) + ")";
      context.getLog().error("cannot load shard: {}", why);
      m.replyTo().tell(new ShardRejected(context.getSelf(), why));
      return idle();
    } catch (RuntimeException | StackOverflowError e) {
      // The model's code outside its guarded calls (its metrics, say): refuse, stay alive.
      context.getLog().debug("cannot load shard", e);
      m.replyTo().tell(new ShardRejected(context.getSelf(), "cannot load: " + e));
      return idle();
    }
  }

  /** Whether this shard's samples go to the column cache ({@link ColumnCache#wanted}). */
  private boolean offHeap(AssignShard m, long samples) {
    return cache.mode() != CacheSettings.Mode.OFF && ColumnCache.wanted(cache,
        m.dataset().source(), MemoryCheck.fits(m.dataset(), samples));
  }

  private Behavior<Command> onComputeWithoutShard(ComputeGradients m) {
    m.replyTo().tell(new ShardRejected(context.getSelf(),
        "asked " + m.describe() + " before any shard was assigned"));
    return Behaviors.same();
  }

  private Behavior<Command> onComputeGradients(ShardEvaluator shard, ComputeGradients m) {
    long start = System.nanoTime();
    watch.enter(m.round(), m.during(), start);
    List<ChunkResult> results;
    try {
      shard.expectRounds(m.roundsAhead());
      results = shard.evaluateTree(m.params(), m.chunks(), m.batch());
    } catch (ModelFailure e) {
      return modelFailed(m, e.getMessage(), e);
    } catch (IllegalArgumentException e) { // DataException included
      context.getLog().error("failed {} (round [{}]): {}", m.describe(), m.round(),
          e.getMessage());
      m.replyTo().tell(new ShardRejected(context.getSelf(), e.getMessage()));
      return Behaviors.same();
    } catch (OutOfMemoryError e) {
      // Named as the step log numbers it: this line reaches the run's summary.
      String why = "out of memory " + m.describe() + " (-Xmx "
          + MemoryCheck.size(Runtime.getRuntime().maxMemory()) + ")";
      context.getLog().error("round [{}] failed: {}", m.round(), why);
      m.replyTo().tell(new ShardRejected(context.getSelf(), why));
      return Behaviors.same();
    } catch (RuntimeException | StackOverflowError e) {
      // Evaluation is deterministic: whatever threw outside the model's guarded calls would
      // throw on every worker too, so it ends the run like the model's own error.
      return modelFailed(m, e.toString(), e);
    } finally {
      watch.leave();
    }
    long nanos = System.nanoTime() - start;
    // One message per batch of nodes, each within the wire's frame limit (a large model's
    // gradients would not fit one message); the compute time travels with the first.
    for (List<ChunkResult> part : WireLimits.split(results, maxValuesPerMessage)) {
      m.replyTo().tell(new GradientsComputed(m.round(), context.getSelf(), part, nanos));
      nanos = 0;
    }
    return Behaviors.same();
  }

  /**
   * Tells the coordinator that round {@code m.round()} failed in the model's code: the same
   * words from every worker; the stack trace only in this worker's log, at debug.
   */
  private Behavior<Command> modelFailed(ComputeGradients m, String error, Throwable e) {
    context.getLog().info("the model failed {} (round [{}]): {}", m.describe(), m.round(),
        error);
    context.getLog().debug("round [{}]: where the model failed", m.round(), e);
    LocalModelFailures.record(error, e instanceof ModelFailure ? e.getCause() : e);
    m.replyTo().tell(new ModelFailed(m.round(), context.getSelf(), error));
    return Behaviors.same();
  }

  private Behavior<Command> onStopWork(StopWork m) {
    context.getLog().info("stopping: {}", m.reason());
    onStop.accept(m);
    return Behaviors.stopped(threads::close);
  }
}
