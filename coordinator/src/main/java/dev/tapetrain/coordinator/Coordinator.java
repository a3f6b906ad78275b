package dev.tapetrain.coordinator;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.coordinator.StepRecord.Reassignment;
import dev.tapetrain.coordinator.StepRecord.WorkerShare;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.CoordinatorProtocol.Command;
import dev.tapetrain.protocol.CoordinatorProtocol.GradientsComputed;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardAssigned;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardRejected;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelLayout;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.protocol.WorkerProtocol;
import dev.tapetrain.protocol.WorkerProtocol.AssignShard;
import dev.tapetrain.protocol.WorkerProtocol.ComputeGradients;
import dev.tapetrain.protocol.WorkerProtocol.StopWork;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator of one training run.
 *
 * <p>Phases, each its own behaviour with the state only it needs passed along (as in Akka's FSM
 * sample): {@link #waitingForWorkers} (the workers seen so far, until {@code spec.workers()} are
 * up), {@link #assigning} (the workers still loading their chunks), {@code Training} (the step
 * loop; the evaluation in progress, loss times and step timing live in that object for as long
 * as the phase), then {@link #stopping} (the workers told to stop). One step: broadcast
 * {@link ComputeGradients} with the parameters → collect the chunk-tree nodes of every chunk →
 * {@link StepReduction} along the chunk tree → {@link StepMath} (penalty, digest, the decision to
 * stop, the optimizer) → {@link TrainingListener#onStep}. This class moves messages and keeps
 * the books of workers and chunks; the numbers live in {@link StepMath}.
 *
 * <p>Evaluation {@code k} computes the loss and gradients at the parameters after {@code k}
 * updates; evaluation 0 gives the initial loss, evaluation {@code k > 0} the loss logged for step
 * {@code k − 1}, and {@code steps + 1} evaluations make a run.
 *
 * <p>A worker that stops, leaves the listing, rejects its data or misses the step deadline loses
 * its chunks to the survivors and the step completes without it. Answers for another step, from
 * an unknown worker, or for chunks the sender was not asked for are ignored and counted.
 */
public final class Coordinator {

  private record WorkersListed(Receptionist.Listing listing)
      implements Command, NoSerializationVerificationNeeded {}

  /**
   * A worker stopped counting: {@code mayReturn} when it only dropped out of the reachable
   * listing (a network blip, a long pause), so it is not told to stop and is taken back when it
   * reappears.
   */
  private record WorkerLost(ActorRef<WorkerProtocol.Command> worker, String reason,
      boolean mayReturn) implements Command, NoSerializationVerificationNeeded {
    WorkerLost(ActorRef<WorkerProtocol.Command> worker, String reason) {
      this(worker, reason, false);
    }
  }

  private record RejoinDeadline(long evaluation)
      implements Command, NoSerializationVerificationNeeded {}

  private record StepDeadline(long evaluation)
      implements Command, NoSerializationVerificationNeeded {}

  /** Stop at once: write the last committed state and end with status interrupted. */
  public enum Interrupt implements Command, NoSerializationVerificationNeeded {
    /** The one instance. */
    INSTANCE
  }

  private enum WaitDeadline implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private enum StopDeadline implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private static final Object DEADLINE_TIMER = "step-deadline";
  /** How long a finished coordinator waits for its workers to stop before it stops itself. */
  private static final java.time.Duration STOP_GRACE = java.time.Duration.ofSeconds(5);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final RunSpec spec;
  private final DatasetSpec dataset;
  private final TrainingListener listener;
  private final RunStore store;
  private final StepMath math;
  // The model the workers built (digest, metric names); set by the first worker's layout.
  private String layoutDigest = "";
  private final boolean resumed;
  private List<String> metricNames = List.of();
  private final BatchSelector batches;

  private ChunkAssignment<ActorRef<WorkerProtocol.Command>> assignment;
  // The last state whose loss was finite: what a diverged or interrupted run reports and keeps.
  private final long firstEvaluation;

  private final List<Reassignment> events = new ArrayList<>();
  private long ignored;
  // Workers refused for good (their data differ, they cannot load it): never taken back.
  private final Set<ActorRef<WorkerProtocol.Command>> refused = new HashSet<>();
  // Workers that registered during training: loading (joining), then ready for the next step.
  private final Set<ActorRef<WorkerProtocol.Command>> joining = new HashSet<>();
  private final List<ActorRef<WorkerProtocol.Command>> ready = new ArrayList<>();
  private boolean finished;

  private Coordinator(ActorContext<Command> context, TimerScheduler<Command> timers, RunSpec spec,
      TrainingState start, TrainingListener listener, RunStore store) {
    this.context = context;
    this.store = store;
    this.timers = timers;
    this.spec = spec;
    this.dataset = spec.dataset();
    this.listener = listener;
    this.batches = new BatchSelector(spec.policy().batchFraction(), spec.policy().batchSeed(),
        dataset.numChunks());
    // A new run's step-0 values come from the model the first worker builds.
    this.math = new StepMath(spec, start, List.of());
    this.firstEvaluation = start == null ? 0 : start.steps();
    this.resumed = start != null;
  }

  /**
   * A coordinator that trains {@code spec} from {@code start} (null: from the beginning) and
   * reports to {@code listener}.
   */
  public static Behavior<Command> create(RunSpec spec, TrainingState start,
      TrainingListener listener) {
    return create(spec, start, listener, RunStore.NONE);
  }

  /**
   * A coordinator that trains {@code spec} from {@code start} (null: from the beginning), tells
   * {@code listener} and keeps the run in {@code store}.
   */
  public static Behavior<Command> create(RunSpec spec, TrainingState start,
      TrainingListener listener, RunStore store) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<Receptionist.Listing> adapter =
          ctx.messageAdapter(Receptionist.Listing.class, WorkersListed::new);
      ctx.getSystem().receptionist()
          .tell(Receptionist.subscribe(WorkerProtocol.SERVICE_KEY, adapter));
      timers.startSingleTimer(WaitDeadline.INSTANCE, spec.waitTimeout());
      return new Coordinator(ctx, timers, spec, start, listener, store)
          .waitingForWorkers(new HashSet<>());
    }));
  }

  // ---- phase 1: waiting for workers ---------------------------------------------------------

  /** Phase 1; {@code seen}: the workers up so far. */
  private Behavior<Command> waitingForWorkers(Set<ActorRef<WorkerProtocol.Command>> seen) {
    return Behaviors.receive(Command.class)
        .onMessage(WorkersListed.class, m -> onListingWhileWaiting(seen, m))
        .onMessage(Interrupt.class, m -> finish(Status.INTERRUPTED, "interrupted by a signal"))
        .onMessage(WaitDeadline.class, m -> fail("only " + seen.size() + " of " + spec.workers()
            + " workers joined within " + spec.waitTimeout().toSeconds() + " s (--wait-timeout)"))
        .onMessage(GradientsComputed.class, m -> ignore())
        .onMessage(ShardAssigned.class, m -> ignore())
        .onMessage(ShardRejected.class, m -> ignore())
        .build();
  }

  private Behavior<Command> onListingWhileWaiting(Set<ActorRef<WorkerProtocol.Command>> seen,
      WorkersListed m) {
    Set<ActorRef<WorkerProtocol.Command>> up =
        m.listing().getServiceInstances(WorkerProtocol.SERVICE_KEY);
    seen.retainAll(up);
    for (ActorRef<WorkerProtocol.Command> w : up) {
      if (seen.add(w)) {
        context.getLog().info("worker [{}] up: [{}] of [{}]", name(w), seen.size(), spec.workers());
        report(new TrainingEvent.WorkerJoined(name(w), seen.size(), spec.workers()));
      }
    }
    if (up.size() < spec.workers()) {
      return Behaviors.same();
    }
    timers.cancel(WaitDeadline.INSTANCE);
    // A stable order, so the assignment (and the logs) do not depend on listing order.
    List<ActorRef<WorkerProtocol.Command>> chosen = up.stream()
        .sorted(Comparator.comparing(r -> r.path().toString()))
        .limit(spec.workers())
        .toList();
    return startAssigning(chosen);
  }

  // ---- phase 2: assigning shards ------------------------------------------------------------

  private Behavior<Command> startAssigning(List<ActorRef<WorkerProtocol.Command>> workers) {
    assignment = ChunkAssignment.balanced(workers, dataset);
    for (ActorRef<WorkerProtocol.Command> w : workers) {
      context.watchWith(w, new WorkerLost(w, "terminated"));
      w.tell(new AssignShard(dataset, spec.model(), assignment.chunksOf(w), context.getSelf()));
    }
    report(new TrainingEvent.WorkersReady(workers.stream().map(this::name).toList()));
    timers.startSingleTimer(DEADLINE_TIMER, new StepDeadline(-1), spec.stepTimeout());
    return assigning(new HashSet<>(workers));
  }

  private Behavior<Command> assigning(Set<ActorRef<WorkerProtocol.Command>> pending) {
    return Behaviors.receive(Command.class)
        .onMessage(ShardAssigned.class, m -> onShardAssigned(pending, m))
        .onMessage(Interrupt.class, m -> finish(Status.INTERRUPTED, "interrupted by a signal"))
        .onMessage(ShardRejected.class, m -> onWorkerLostWhileAssigning(pending, m.worker(),
            "rejected its shard: " + m.reason()))
        .onMessage(WorkerLost.class, m -> onWorkerLostWhileAssigning(pending, m.worker(),
            m.reason()))
        .onMessage(RejoinDeadline.class, m -> Behaviors.same())
        .onMessage(StepDeadline.class, m -> onAssignDeadline(pending))
        .onMessage(WorkersListed.class, this::onListing)
        .onMessage(GradientsComputed.class, m -> ignore())
        .build();
  }

  private Behavior<Command> onShardAssigned(Set<ActorRef<WorkerProtocol.Command>> pending,
      ShardAssigned m) {
    if (!pending.remove(m.worker())) {
      context.getLog().debug("ignored shard answer from [{}]", name(m.worker()));
      return ignore();
    }
    String expected = dataset.digest();
    if (!expected.equals(m.dataDigest())) {
      return onWorkerLostWhileAssigning(pending, m.worker(),
          "its data differ (digest " + m.dataDigest() + ", expected " + expected + ")");
    }
    String modelProblem = adoptModel(m.layout());
    if (modelProblem != null) {
      return onWorkerLostWhileAssigning(pending, m.worker(), modelProblem);
    }
    assignment.noteHeld(m.worker(), m.chunks());
    return pending.isEmpty() ? new Training().start() : Behaviors.same();
  }

  private Behavior<Command> onWorkerLostWhileAssigning(
      Set<ActorRef<WorkerProtocol.Command>> pending, ActorRef<WorkerProtocol.Command> worker,
      String reason) {
    if (!assignment.contains(worker)) {
      return ignore();
    }
    pending.remove(worker);
    context.getLog().warn("worker [{}] lost before training: {}", name(worker), reason);
    if (assignment.workers().size() == 1) {
      return fail("no worker left: " + name(worker) + " " + reason);
    }
    // Survivors load the moved chunks lazily at their first step.
    int moved = assignment.chunksOf(worker).size();
    dropWorker(worker, reason);
    assignment.remove(worker);
    events.add(new Reassignment(0, name(worker), reason, moved, 0));
    return pending.isEmpty() ? new Training().start() : Behaviors.same();
  }

  private Behavior<Command> onAssignDeadline(Set<ActorRef<WorkerProtocol.Command>> pending) {
    Behavior<Command> result = Behaviors.same();
    for (ActorRef<WorkerProtocol.Command> w : List.copyOf(pending)) {
      Behavior<Command> next = onWorkerLostWhileAssigning(pending, w,
          "did not load its shard within " + spec.stepTimeout().toMillis() + " ms");
      if (finished) {
        return next;
      }
      if (next != Behaviors.<Command>same()) {
        result = next;
      }
    }
    return result;
  }

  // ---- phase 3: training --------------------------------------------------------------------

  /**
   * The training phase and the state only it has: the evaluation in progress, when workers were
   * lost (for the recovery times), the timing of steps, and a stall with no worker left. It
   * lives as long as the phase and travels with its behaviour.
   */
  private final class Training {
    private long evaluation = -1;
    private Evaluation<ActorRef<WorkerProtocol.Command>> current;
    private final Map<ActorRef<WorkerProtocol.Command>, Long> lostAt = new LinkedHashMap<>();
    private long trainStartNanos;
    private long lastEvaluationDoneNanos;
    private long deadlineFromNanos;
    // When the last worker was lost mid-evaluation (0: some worker is computing), and why.
    private long stalledSinceNanos;
    private String lastLoss = "";

    private Behavior<Command> finish(Status status, String message) {
      return Coordinator.this.finish(status, message, System.nanoTime() - trainStartNanos);
    }

    private Behavior<Command> start() {
      trainStartNanos = System.nanoTime();
      lastEvaluationDoneNanos = trainStartNanos;
      beginEvaluation(firstEvaluation);
      return training();
    }

    private Behavior<Command> training() {
      return Behaviors.receive(Command.class)
          .onMessage(GradientsComputed.class, this::onGradients)
          .onMessage(Interrupt.class, m -> finish(Status.INTERRUPTED, "interrupted by a signal"))
          .onMessage(WorkerLost.class, m -> onWorkerLost(m.worker(), m.reason(), m.mayReturn()))
          .onMessage(ShardRejected.class, this::onRejectedWhileTraining)
          .onMessage(StepDeadline.class, this::onDeadline)
          .onMessage(RejoinDeadline.class, this::onRejoinDeadline)
          .onMessage(WorkersListed.class, Coordinator.this::onListing)
          .onMessage(ShardAssigned.class, this::onJoinerLoaded)
          .build();
    }

    private void beginEvaluation(long k) {
      evaluation = k;
      for (ActorRef<WorkerProtocol.Command> joiner : ready) {
        List<Integer> moved = assignment.add(joiner);
        context.getLog().info("worker [{}] joined at step [{}] with [{}] chunks", name(joiner), k,
            moved.size());
        events.add(new Reassignment(k, name(joiner), "joined", moved.size(), 0));
      }
      ready.clear();
      current = new Evaluation<>(dataset, batches.batch(k));
      for (ActorRef<WorkerProtocol.Command> w : assignment.workers()) {
        ask(w, current.stillNeeded(assignment.chunksOf(w)));
      }
      deadlineFrom(System.nanoTime());
    }

    /**
     * The current evaluation's deadline is {@code --step-timeout} after {@code nanos}. A step
     * does not schedule a timer of its own (that cost more than a small step's arithmetic): the
     * one pending timer, when it fires early for this evaluation, is set again for what is left.
     */
    private void deadlineFrom(long nanos) {
      deadlineFromNanos = nanos;
      if (!timers.isTimerActive(DEADLINE_TIMER)) {
        timers.startSingleTimer(DEADLINE_TIMER, new StepDeadline(evaluation), spec.stepTimeout());
      }
    }

    private void ask(ActorRef<WorkerProtocol.Command> worker, List<Integer> chunks) {
      current.asked(worker, chunks);
      if (!chunks.isEmpty()) {
        worker.tell(new ComputeGradients(evaluation, math.params(), chunks, context.getSelf()));
      }
    }

    private Behavior<Command> onGradients(GradientsComputed m) {
      if (m.round() != evaluation || !assignment.contains(m.worker())) {
        context.getLog().debug("ignored answer for round [{}] from [{}]", m.round(),
            name(m.worker()));
        ignored += m.results().size();
        return Behaviors.same();
      }
      for (ChunkResult r : m.results()) {
        if (!current.accept(m.worker(), r, math.params())) {
          ignored++;
        }
      }
      current.computed(m.worker(), m.computeNanos());
      return current.complete() ? completeEvaluation() : Behaviors.same();
    }

    private Behavior<Command> completeEvaluation() {
      long now = System.nanoTime();
      StepReduction.Totals totals = math.withPenalty(current.reduce(math.params()));
      for (Map.Entry<ActorRef<WorkerProtocol.Command>, Long> e : lostAt.entrySet()) {
        for (int i = 0; i < events.size(); i++) {
          Reassignment r = events.get(i);
          if (r.worker().equals(name(e.getKey())) && r.recoveryNanos() == 0) {
            events.set(i, new Reassignment(r.evaluation(), r.worker(), r.reason(), r.chunksMoved(),
                now - e.getValue()));
          }
        }
      }
      lostAt.clear();
      if (evaluation == 0) {
        math.initialLoss(totals.loss());
        report(new TrainingEvent.InitialLoss(totals.loss()));
      } else if (evaluation == firstEvaluation) {
        report(new TrainingEvent.Resumed(evaluation, totals.loss()));
      } else {
        List<WorkerShare> workerShares = new ArrayList<>();
        current.shares().forEach(
            (w, s) -> workerShares.add(new WorkerShare(name(w), (int) s[0], s[2], s[1])));
        long digest = math.chain(totals.loss());
        if (report(new TrainingEvent.Step(new StepRecord(evaluation - 1, totals.loss(),
            math.params(), math.lastGradients(), math.learningRate(),
            now - lastEvaluationDoneNanos, workerShares, ignored, events, digest,
            totals.metrics()))) instanceof RunStore.Failed f) {
          return finish(Status.FAILED, f.message());
        }
        ignored = 0;
        events.clear();
      }
      lastEvaluationDoneNanos = now;
      StepMath.Decision decision = math.decide(evaluation, totals);
      if (!decision.goesOn()) {
        return finish(decision.stop(), decision.message());
      }
      if (decision.checkpointDue()) {
        if (store.checkpoint(math.lastGood()) instanceof RunStore.Failed f) {
          return finish(Status.FAILED, f.message());
        }
      }
      beginEvaluation(evaluation + 1);
      return Behaviors.same();
    }

    private Behavior<Command> onRejectedWhileTraining(ShardRejected m) {
      if (joining.remove(m.worker())) {
        refuse(m.worker(), "it cannot take part: " + m.reason());
        return Behaviors.same();
      }
      refused.add(m.worker());
      return onWorkerLost(m.worker(), "rejected its shard: " + m.reason(), false);
    }

    /** A joiner read and hashed its data (and holds its future chunks): it may take work. */
    private Behavior<Command> onJoinerLoaded(ShardAssigned m) {
      if (!joining.remove(m.worker())) {
        return ignore();
      }
      if (!dataset.digest().equals(m.dataDigest())) {
        refuse(m.worker(), "its data differ from the coordinator's (SHA-256 " + m.dataDigest()
            + ", expected " + dataset.digest() + ")");
        return Behaviors.same();
      }
      String modelProblem = adoptModel(m.layout());
      if (modelProblem != null) {
        refuse(m.worker(), modelProblem);
        return Behaviors.same();
      }
      assignment.noteHeld(m.worker(), m.chunks());
      if (assignment.workers().isEmpty()) {
        // The run was waiting for a worker: this one takes every chunk of the open evaluation.
        timers.cancel(RejoinDeadline.class);
        List<Integer> chunks = assignment.add(m.worker());
        long waited = System.nanoTime() - stalledSinceNanos;
        stalledSinceNanos = 0;
        context.getLog().info("worker [{}] took over at step [{}] after [{}] ms without workers",
            name(m.worker()), evaluation, waited / 1_000_000);
        events.add(new Reassignment(evaluation, name(m.worker()), "joined", chunks.size(), waited));
        ask(m.worker(), current.stillNeeded(chunks));
        return Behaviors.same();
      }
      ready.add(m.worker());
      return Behaviors.same();
    }

    private Behavior<Command> onWorkerLost(ActorRef<WorkerProtocol.Command> worker, String reason,
        boolean mayReturn) {
      joining.remove(worker);
      ready.remove(worker);
      if (!assignment.contains(worker)) {
        return Behaviors.same();
      }
      context.getLog().warn("worker [{}] lost at step [{}]: {}", name(worker), evaluation, reason);
      List<Integer> owned = assignment.chunksOf(worker);
      if (assignment.workers().size() == 1 && spec.rejoinTimeout().isZero()) {
        return finish(Status.FAILED, "no worker left: " + name(worker) + " " + reason);
      }
      if (mayReturn) {
        // Not told to stop: once reachable again it is taken back like a new worker.
        context.unwatch(worker);
      } else {
        dropWorker(worker, reason);
      }
      Map<ActorRef<WorkerProtocol.Command>, List<Integer>> moved = assignment.remove(worker);
      lostAt.put(worker, System.nanoTime());
      events.add(new Reassignment(evaluation, name(worker), reason, owned.size(), 0));
      // Ask the new owners for the chunks of this step that had not arrived yet.
      for (Map.Entry<ActorRef<WorkerProtocol.Command>, List<Integer>> e : moved.entrySet()) {
        ask(e.getKey(), current.stillNeeded(e.getValue()));
      }
      current.forget(worker);
      if (assignment.workers().isEmpty()) {
        stalledSinceNanos = System.nanoTime();
        lastLoss = name(worker) + " " + reason;
        context.getLog().warn("no worker left at step [{}]: waiting up to [{}] s for one to come "
            + "back or join (--rejoin-timeout)", evaluation, spec.rejoinTimeout().toSeconds());
        report(new TrainingEvent.NoWorkerLeft(evaluation, name(worker) + " " + reason,
            spec.rejoinTimeout()));
        timers.startSingleTimer(RejoinDeadline.class, new RejoinDeadline(evaluation),
            spec.rejoinTimeout());
      }
      return Behaviors.same();
    }

    private Behavior<Command> onRejoinDeadline(RejoinDeadline m) {
      if (!assignment.workers().isEmpty() || m.evaluation() != evaluation) {
        return Behaviors.same();
      }
      return finish(Status.FAILED, "no worker left at step " + evaluation + " (" + lastLoss
          + "), and none came back within " + spec.rejoinTimeout().toSeconds()
          + " s (--rejoin-timeout)");
    }

    private Behavior<Command> onDeadline(StepDeadline m) {
      long left = deadlineFromNanos + spec.stepTimeout().toNanos() - System.nanoTime();
      if (left > 0) {
        timers.startSingleTimer(DEADLINE_TIMER, new StepDeadline(evaluation),
            java.time.Duration.ofNanos(left));
        return Behaviors.same();
      }
      Set<ActorRef<WorkerProtocol.Command>> late = current.late();
      for (ActorRef<WorkerProtocol.Command> w : late) {
        if (w == null) {
          continue; // an orphaned chunk: nobody owes it while the run waits for a worker
        }
        Behavior<Command> next = onWorkerLost(w,
            "missed the " + spec.stepTimeout().toMillis() + " ms step deadline", false);
        if (finished) {
          return next;
        }
      }
      deadlineFromNanos = System.nanoTime();
      timers.startSingleTimer(DEADLINE_TIMER, new StepDeadline(evaluation), spec.stepTimeout());
      return Behaviors.same();
    }
  }

  /**
   * Takes the model a worker built: the first layout sets the run's model (its step-0 values,
   * unless the run resumes, its L2 weights and metrics); every later one must be the same.
   *
   * @return null if the worker fits, else why not
   */
  private String adoptModel(ModelLayout layout) {
    if (layout.digest().isEmpty()) {
      return "it reports no model (a worker older than model plug-ins?)";
    }
    if (layoutDigest.isEmpty()) {
      long values = 0;
      for (NamedTensor p : layout.initialParams()) {
        values += p.size();
      }
      if (context.getSystem().settings().config().getString("akka.actor.provider")
          .equals("cluster")) {
        String tooBig = dev.tapetrain.protocol.WireLimits.checkModel(values,
            context.getSystem().settings().config());
        if (tooBig != null) {
          return tooBig;
        }
      }
      if (resumed && !sameLayout(math.params(), layout.initialParams())) {
        return "its model " + spec.model().name() + " has parameters "
            + describe(layout.initialParams()) + ", the run has " + describe(math.params());
      }
      layoutDigest = layout.digest();
      metricNames = layout.metrics();
      math.adoptModel(layout.initialParams(), layout.weights(), resumed);
      report(new TrainingEvent.ModelAdopted(layout.initialParams(), metricNames));
      return null;
    }
    return layoutDigest.equals(layout.digest()) ? null
        : "its model differs from the other workers' (layout digest " + abbreviate(
            layout.digest()) + ", expected " + abbreviate(layoutDigest) + "): another version of "
            + "model '" + spec.model().name() + "' on its class path?";
  }

  /** Whether two parameter lists have the same names and shapes. */
  private static boolean sameLayout(List<NamedTensor> a, List<NamedTensor> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).name().equals(b.get(i).name())
          || !java.util.Arrays.equals(a.get(i).shape(), b.get(i).shape())) {
        return false;
      }
    }
    return true;
  }

  private static String describe(List<NamedTensor> params) {
    return params.stream().map(t -> t.name() + java.util.Arrays.toString(t.shape()))
        .toList().toString();
  }

  private static String abbreviate(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) + "…" : digest;
  }

  /** Refuses a worker for good, with the reason on both sides. */
  private void refuse(ActorRef<WorkerProtocol.Command> worker, String why) {
    context.getLog().warn("worker [{}] refused: {}", name(worker), why);
    refused.add(worker);
    context.unwatch(worker);
    worker.tell(new StopWork(WorkerProtocol.Outcome.REFUSED, why));
  }

  private Behavior<Command> onListing(WorkersListed m) {
    // Reachable workers only: one that is unreachable (a crash, a network blip) drops out here
    // within seconds and comes back when the network does.
    Set<ActorRef<WorkerProtocol.Command>> up =
        m.listing().getServiceInstances(WorkerProtocol.SERVICE_KEY);
    for (ActorRef<WorkerProtocol.Command> w : assignment.workers()) {
      if (!up.contains(w)) {
        context.getSelf().tell(new WorkerLost(w, "left the cluster or became unreachable", true));
      }
    }
    for (ActorRef<WorkerProtocol.Command> w : up) {
      if (!assignment.contains(w) && !joining.contains(w) && !ready.contains(w)
          && !refused.contains(w)) {
        // A new or returning worker: it reads and hashes its data, and loads the chunks it would
        // take now, before it is given any work.
        List<Integer> chunks = assignment.preview(w);
        context.getLog().info("worker [{}] registered during training; loading [{}] chunks",
            name(w), chunks.size());
        joining.add(w);
        context.unwatch(w);
        context.watchWith(w, new WorkerLost(w, "terminated"));
        w.tell(new AssignShard(dataset, spec.model(), chunks, context.getSelf()));
      }
    }
    return Behaviors.same();
  }

  // ---- the end ------------------------------------------------------------------------------

  private Behavior<Command> fail(String message) {
    return finish(Status.FAILED, message);
  }

  /** Ends a run that never started training. */
  private Behavior<Command> finish(Status status, String message) {
    return finish(status, message, 0);
  }

  /** Ends the run: checkpoint, summary, workers told to stop; {@code trainNanos} in training. */
  private Behavior<Command> finish(Status status, String message, long trainNanos) {
    finished = true;
    timers.cancelAll();
    int workerCount = assignment == null ? 0 : assignment.workers().size();
    if (store.checkpoint(math.lastGood()) instanceof RunStore.Failed f) {
      // The previous checkpoint stays: the atomic write leaves it whole.
      context.getLog().warn("final checkpoint not written: {}", f.message());
      if (status != Status.FAILED) {
        status = Status.FAILED;
        message = f.message();
      }
    }
    TrainingState lastGood = math.lastGood();
    RunSummary summary = new RunSummary(status, lastGood.steps(), spec.steps(),
        math.initialLoss(), lastGood.loss(), lastGood.params(), workerCount, trainNanos, message);
    if (store.finish(summary) instanceof RunStore.Failed f) {
      context.getLog().warn("summary not written: {}", f.message());
    }
    listener.on(new TrainingEvent.Finished(summary));
    Set<ActorRef<WorkerProtocol.Command>> remaining = new HashSet<>(joining);
    remaining.addAll(ready);
    if (assignment != null) {
      remaining.addAll(assignment.workers());
    }
    for (ActorRef<WorkerProtocol.Command> w : remaining) {
      w.tell(new StopWork(status.outcome(), message));
    }
    if (remaining.isEmpty()) {
      return Behaviors.stopped();
    }
    timers.startSingleTimer(StopDeadline.INSTANCE, STOP_GRACE);
    return stopping(remaining);
  }

  /** Waits (briefly) until the workers told to stop have stopped, so none is left waiting. */
  private Behavior<Command> stopping(Set<ActorRef<WorkerProtocol.Command>> remaining) {
    return Behaviors.receive(Command.class)
        .onMessage(WorkerLost.class, m -> {
          remaining.remove(m.worker());
          return remaining.isEmpty() ? Behaviors.stopped() : Behaviors.same();
        })
        .onMessage(StopDeadline.class, m -> Behaviors.stopped())
        .onMessage(Interrupt.class, m -> Behaviors.stopped())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private void dropWorker(ActorRef<WorkerProtocol.Command> worker, String reason) {
    context.unwatch(worker);
    worker.tell(new StopWork(WorkerProtocol.Outcome.DROPPED, reason));
  }

  /** Tells the listener and the store; the store's result. */
  private RunStore.Result report(TrainingEvent event) {
    listener.on(event);
    return store.record(event);
  }

  private Behavior<Command> ignore() {
    ignored++;
    return Behaviors.same();
  }

  // A worker's name goes into every step record; its path's string is built once.
  private final Map<ActorRef<?>, String> names = new HashMap<>();

  private String name(ActorRef<?> ref) {
    return names.computeIfAbsent(ref, r -> r.path().toString());
  }
}
