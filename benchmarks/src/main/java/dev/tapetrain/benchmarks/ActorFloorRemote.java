package dev.tapetrain.benchmarks;

import static dev.tapetrain.benchmarks.ActorFloorBenchmark.data;
import static dev.tapetrain.benchmarks.ActorFloorBenchmark.printTimes;
import static dev.tapetrain.benchmarks.ActorFloorBenchmark.shard;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.benchmarks.ActorFloorBenchmark.Times;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link ActorFloorBenchmark} across JVMs (its {@code coordinator} and {@code worker} modes): a
 * coordinator JVM and one JVM per worker on loopback, Artery TCP with tapetrain's transport
 * settings ({@code tapetrain-cluster.conf}: one inbound lane, one pool of two threads, no write
 * coalescing), plain remoting instead of a cluster. The messages are Akka's own
 * {@link ByteString}s (16 bytes out: W and B; 32 back: two gradient sums, the loss and the
 * compute time) and, once, a worker's reference.
 */
final class ActorFloorRemote {

  private ActorFloorRemote() {
  }

  static Config config(int port) {
    return ConfigFactory.parseString(String.join("\n",
        "akka.loglevel = ERROR",
        "akka.stdout-loglevel = OFF",
        "akka.actor.provider = remote",
        "akka.remote.warn-about-direct-use = off",
        "akka.actor.allow-java-serialization = off",
        "akka.remote.artery.transport = tcp",
        "akka.remote.artery.canonical.hostname = \"127.0.0.1\"",
        "akka.remote.artery.canonical.port = " + port,
        "akka.remote.artery.advanced.inbound-lanes = 1",
        "akka.actor.default-dispatcher.fork-join-executor.parallelism-min = 2",
        "akka.actor.default-dispatcher.fork-join-executor.parallelism-max = 2",
        "akka.actor.internal-dispatcher = \"akka.actor.default-dispatcher\"",
        "akka.remote.artery.advanced.use-dispatcher = \"akka.actor.default-dispatcher\"",
        "akka.stream.materializer.io.tcp.coalesce-writes = 0",
        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withFallback(ConfigFactory.load());
  }

  static void coordinator(int port, int n, int steps, int workers) throws Exception {
    CompletableFuture<Times> done = new CompletableFuture<>();
    long[] began = new long[1];
    ActorSystem<Object> system = ActorSystem.create(Behaviors.setup(ctx ->
        registering(ctx.getSelf(), new ArrayList<>(), workers, n, steps, done, began)),
        "floor", config(port));
    Times times = done.get(30, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - began[0]) / 1e9;
    printTimes(times, seconds);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30,
        TimeUnit.SECONDS);
    System.exit(0);
  }

  @SuppressWarnings("unchecked")
  private static Behavior<Object> registering(ActorRef<Object> self,
      List<ActorRef<Object>> joined, int workers, int n, int steps,
      CompletableFuture<Times> done, long[] began) {
    return Behaviors.receiveMessage(m -> {
      List<ActorRef<Object>> now = new ArrayList<>(joined);
      now.add((ActorRef<Object>) m);
      if (now.size() < workers) {
        return registering(self, now, workers, n, steps, done, began);
      }
      began[0] = System.nanoTime();
      return send(self, now, n, done, new Times(new long[steps], new long[steps]), 0, 5.0,
          10.0, began[0]);
    });
  }

  private static Behavior<Object> send(ActorRef<Object> self, List<ActorRef<Object>> workers,
      int n, CompletableFuture<Times> done, Times times, int step, double w, double b,
      long began) {
    ByteString request = new ByteStringBuilder()
        .putDouble(w, ByteOrder.LITTLE_ENDIAN)
        .putDouble(b, ByteOrder.LITTLE_ENDIAN).result();
    for (ActorRef<Object> worker : workers) {
      worker.tell(request);
    }
    return collect(self, workers, n, done, times, step, w, b, began, 0, 0, 0, 0);
  }

  private static Behavior<Object> collect(ActorRef<Object> self,
      List<ActorRef<Object>> workers, int n, CompletableFuture<Times> done,
      Times times, int step, double w, double b, long began, int answers, double gw,
      double gb, long slowest) {
    return Behaviors.receiveMessage(m -> {
      ByteBuffer g = ((ByteString) m).asByteBuffer()
          .order(ByteOrder.LITTLE_ENDIAN);
      double sumW = gw + g.getDouble(0);
      double sumB = gb + g.getDouble(8);
      long slowestNow = Math.max(slowest, g.getLong(24));
      if (answers + 1 < workers.size()) {
        return collect(self, workers, n, done, times, step, w, b, began, answers + 1,
            sumW, sumB, slowestNow);
      }
      long now = System.nanoTime();
      times.step()[step] = now - began;
      times.outside()[step] = now - began - slowestNow;
      if (step + 1 == times.step().length) {
        for (ActorRef<Object> worker : workers) {
          worker.tell(ByteString.emptyByteString());
        }
        done.complete(times);
        return Behaviors.same();
      }
      return send(self, workers, n, done, times, step + 1, w - 0.01 * sumW / n,
          b - 0.01 * sumB / n, now);
    });
  }

  static void worker(int coordinatorPort, int index, int n, int workers) throws Exception {
    double[][] xy = data(n);
    int[] s = shard(n, workers, index);
    double[] x = Arrays.copyOfRange(xy[0], s[0], s[1]);
    double[] y = Arrays.copyOfRange(xy[1], s[0], s[1]);
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    ActorSystem<Object> system = ActorSystem.create(Behaviors.setup(ctx -> {
      ActorRef<Object> coordinator = ActorRefResolver.get(ctx.getSystem())
          .resolveActorRef("akka://floor@127.0.0.1:" + coordinatorPort + "/user");
      coordinator.tell(ctx.getSelf());
      return Behaviors.receiveMessage(m -> {
        ByteString request = (ByteString) m;
        if (request.isEmpty()) {
          stopped.complete(null);
          return Behaviors.stopped();
        }
        ByteBuffer in = request.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        double w = in.getDouble(0);
        double b = in.getDouble(8);
        long start = System.nanoTime();
        double gw = 0;
        double gb = 0;
        double loss = 0;
        for (int i = 0; i < x.length; i++) {
          double e = w * x[i] + b - y[i];
          loss += e * e;
          gw += 2 * e * x[i];
          gb += 2 * e;
        }
        coordinator.tell(new ByteStringBuilder()
            .putDouble(gw, ByteOrder.LITTLE_ENDIAN)
            .putDouble(gb, ByteOrder.LITTLE_ENDIAN)
            .putDouble(loss, ByteOrder.LITTLE_ENDIAN)
            .putLong(System.nanoTime() - start, ByteOrder.LITTLE_ENDIAN).result());
        return Behaviors.same();
      });
    }), "floor", config(0));
    stopped.get(30, TimeUnit.MINUTES);
    system.terminate();
    System.exit(0);
  }
}
