package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Bytes from an unauthenticated peer cannot stall a run, burn CPU or flood the log (issue 14,
 * item 2): a catalogue of malformed Artery streams is sent over real sockets to a real
 * coordinator and a real worker JVM, first while they wait (to measure their CPU afterwards) and
 * again mid-run, and mid-run well-formed frames of junk (issue 25: 40 of 2 MiB). The run
 * completes bit-identical to local-runner, each process is back to its idle CPU within a second
 * (within 0.3 CPU-seconds per second: without the guard the coordinator burned 0.84), each bad
 * connection costs at most one log line, and the junk a few lines in all (Artery warns once per
 * frame it cannot decode).
 */
class MalformedFramesTest extends ProcessTestBase {

  private static final Pattern WORKER_PORT =
      Pattern.compile("worker at akka://tapetrain@127\\.0\\.0\\.1:(\\d+) joining");

  /** The catalogue: name → bytes that open a connection. */
  static Map<String, byte[]> catalogue() {
    Map<String, byte[]> c = new LinkedHashMap<>();
    c.put("wrong protocol version", stream(2, frame(40, (byte) 7)));
    c.put("negative length", concat(header(2), le(-5), new byte[100]));
    c.put("unknown stream id", stream(9, frame(40, (byte) 0)));
    c.put("huge length", concat(header(2), le(Integer.MAX_VALUE), new byte[1000]));
    c.put("length just over the frame limit", concat(header(1), le(2 * 1024 * 1024 + 1),
        new byte[64]));
    c.put("zero length", concat(header(2), le(0), le(0), le(0)));
    c.put("shorter than an envelope", stream(2, frame(8, (byte) 0)));
    byte[] random = new byte[5000];
    new Random(7).nextBytes(random);
    c.put("random bytes", random);
    c.put("random bytes after a valid header", concat(header(2), random));
    c.put("not Artery at all", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    c.put("truncated frame", concat(header(2), le(400), new byte[10]));
    return c;
  }

  private static byte[] header(int streamId) {
    return concat("AKKA".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) streamId});
  }

  private static byte[] le(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  private static byte[] frame(int length, byte version) {
    byte[] body = new byte[length];
    body[0] = version;
    return concat(le(length), body);
  }

  private static byte[] stream(int streamId, byte[] frames) {
    return concat(header(streamId), frames);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  /** Sends every case of the catalogue, each on its own connection; returns the count. */
  private static int sendCatalogue(int port) throws IOException {
    int connections = 0;
    for (byte[] bytes : catalogue().values()) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(2000);
        OutputStream out = s.getOutputStream();
        out.write(bytes);
        out.flush();
        s.shutdownOutput();
        // Wait for the other side to close: the refusal, not our own close, ends the case.
        while (s.getInputStream().read() >= 0) {
          // discard
        }
      } catch (IOException refusedWhileWriting) {
        // A reset while we still write is a refusal too.
      }
      connections++;
    }
    return connections;
  }

  /** Idle connections that never send a byte, and a trickle of one byte every 300 ms. */
  private static List<Socket> idleAndTrickle(int port, int idle) throws IOException {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < idle; i++) {
      sockets.add(new Socket(InetAddress.getLoopbackAddress(), port));
    }
    Socket trickle = new Socket(InetAddress.getLoopbackAddress(), port);
    sockets.add(trickle);
    Thread t = new Thread(() -> {
      byte[] bytes = concat(header(2), le(1000), new byte[1000]);
      try {
        for (byte b : bytes) {
          trickle.getOutputStream().write(b);
          trickle.getOutputStream().flush();
          Thread.sleep(300);
        }
      } catch (IOException | InterruptedException cutOff) {
        // The guard cuts the trickle off: what this case expects.
      }
    }, "trickle");
    t.setDaemon(true);
    t.start();
    return sockets;
  }

  /** Well-formed Artery frames of junk: {@code connections} × {@code frames} of 2 MiB. */
  private static void sendJunk(int port, int connections, int frames) throws Exception {
    byte[] body = new byte[2 * 1024 * 1024];
    new Random(11).nextBytes(body);
    body[0] = 0; // Artery's version: the frame passes the guard
    byte[] frame = concat(le(body.length), body);
    List<Thread> senders = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      String from = "127.0.0." + (2 + i % 4);
      Thread t = new Thread(() -> {
        try (Socket s = new Socket()) {
          try {
            s.bind(new java.net.InetSocketAddress(from, 0));
          } catch (IOException notLinux) {
            // every connection from 127.0.0.1 then
          }
          s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
          OutputStream out = s.getOutputStream();
          out.write(header(2));
          for (int f = 0; f < frames; f++) {
            out.write(frame);
          }
        } catch (IOException refused) {
          // A connection the guard cut off (its buffer budget ran out) is fine too.
        }
      }, "junk");
      t.start();
      senders.add(t);
    }
    for (Thread t : senders) {
      t.join();
    }
  }

  private long logLines(String name) throws IOException {
    return processes.stderr(name).lines().count();
  }

  @Test
  void malformedStreamsNeitherStallNorSlowNorFloodARun() throws Exception {
    String[] job = {"--steps", "4000", "--log-every", "100"};
    Path reference = dir.resolve("reference");
    Runs.Result local = Runs.run(concat(job, "--workers", "2", "--run-dir",
        reference.toString()));
    assertEquals(0, local.exitCode(), local.err());

    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    Process coordinator = processes.coordinator("coordinator", concat(job, "--port", "" + port,
        "--workers", "2", "--run-dir", run.toString()));
    Process w1 = processes.worker("w1", port);
    Processes.await("worker 1 joined", Duration.ofSeconds(60),
        () -> processes.stderrQuietly("coordinator").contains("worker 1/2 joined"));
    Matcher m = WORKER_PORT.matcher(processes.stderr("w1"));
    assertTrue(m.find(), processes.stderr("w1"));
    int workerPort = Integer.parseInt(m.group(1));
    Thread.sleep(3000); // let start-up's JIT settle before measuring idle CPU

    // Phase 1, both processes idle (the coordinator waits for its second worker).
    double idleCoordinator = Processes.cpuOver(coordinator, 1.0);
    double idleWorker = Processes.cpuOver(w1, 1.0);
    long linesBefore = logLines("coordinator") + logLines("w1");
    List<Socket> held = new ArrayList<>(idleAndTrickle(port, 50));
    held.addAll(idleAndTrickle(workerPort, 50));
    int bad = sendCatalogue(port) + sendCatalogue(workerPort);
    Thread.sleep(1000);
    double afterCoordinator = Processes.cpuOver(coordinator, 1.0);
    double afterWorker = Processes.cpuOver(w1, 1.0);
    assertTrue(afterCoordinator < idleCoordinator + 0.3, "coordinator CPU " + afterCoordinator
        + " s/s after the fuzzing, " + idleCoordinator + " s/s idle before");
    assertTrue(afterWorker < idleWorker + 0.3, "worker CPU " + afterWorker
        + " s/s after the fuzzing, " + idleWorker + " s/s idle before");
    long added = logLines("coordinator") + logLines("w1") - linesBefore;
    assertTrue(added <= bad, added + " log lines for " + bad + " bad connections:\n"
        + processes.stderr("coordinator"));

    // Phase 2: training starts; the same again mid-run, with the idle sockets still open.
    Process w2 = processes.worker("w2", port);
    Processes.await("training", Duration.ofSeconds(60),
        () -> processes.stdoutQuietly("coordinator").contains("Loss at step 100"));
    sendCatalogue(port);
    sendCatalogue(workerPort);
    Thread.sleep(500);
    String beforeJunk = processes.stderr("coordinator");
    assertTrue(!beforeJunk.contains("Dropping message"), "nothing malformed reached Artery: "
        + beforeJunk);
    // Phase 3: well-formed junk, which crosses the guard and which Artery drops.
    sendJunk(port, 20, 2);

    assertEquals(0, Processes.exitCode(coordinator, Duration.ofSeconds(180)),
        processes.stderr("coordinator"));
    assertEquals(0, Processes.exitCode(w1, Duration.ofSeconds(30)), processes.stderr("w1"));
    assertEquals(0, Processes.exitCode(w2, Duration.ofSeconds(30)), processes.stderr("w2"));
    for (Socket s : held) {
      s.close();
    }
    assertEquals(Runs.steps(reference), Runs.sameStepsAs(Runs.steps(reference),
        Runs.steps(run)), "bit for bit");
    String err = processes.stderr("coordinator");
    assertTrue(err.contains("refused a connection from"), err);
    long artery = err.lines().filter(l -> l.contains(" a.r.a")).count();
    assertTrue(artery >= 1 && artery <= 10, artery + " lines from Artery for 40 frames of junk "
        + "(one a frame without the summary):\n" + err);
  }
}
