package dev.tapetrain.benchmarks;

import dev.tapetrain.node.FrameGuard;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the frame guard in front of a node's plain-TCP port costs a message, printed as a table:
 * <pre>
 * mvn -q package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.tapetrain.benchmarks.GuardBenchmark
 * </pre>
 * A client sends Artery-framed messages on loopback to a stand-in for Artery, which answers
 * each with one byte on a second connection; the round trip is timed with the guard between
 * them and without it, interleaved, for a few frame sizes (a small step's messages are a few
 * hundred bytes). The difference is the guard's hop: one more thread to wake, one read and one
 * write per message.
 */
public final class GuardBenchmark {

  private GuardBenchmark() {}

  private static final int WARMUP = 3000;
  private static final int TRIPS = 10_000;
  private static final int ROUNDS = 3;

  /** Runs the table. */
  public static void main(String[] args) throws Exception {
    int[] sizes = {200, 2_000, 60_000};
    List<String> rows = new ArrayList<>();
    double[][] guarded = new double[sizes.length][ROUNDS];
    double[][] direct = new double[sizes.length][ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
      for (int s = 0; s < sizes.length; s++) {
        guarded[s][round] = medianRoundTripMicros(sizes[s], true);
        direct[s][round] = medianRoundTripMicros(sizes[s], false);
      }
    }
    System.out.printf("%n%-12s %22s %22s %16s%n", "frame bytes", "through the guard (us)",
        "straight to Artery (us)", "guard adds (us)");
    for (int s = 0; s < sizes.length; s++) {
      double g = median(guarded[s]);
      double d = median(direct[s]);
      rows.add(String.format(Locale.ROOT, "%-12d %22.1f %22.1f %16.1f", sizes[s], g, d, g - d));
    }
    rows.forEach(System.out::println);
    System.out.printf("(median round trip of %d, median of %d interleaved rounds)%n", TRIPS,
        ROUNDS);
  }

  /** The median round trip of a {@code frame}-byte message, through the guard or not. */
  static double medianRoundTripMicros(int frame, boolean throughGuard) throws Exception {
    try (FrameGuard guard = FrameGuard.start("127.0.0.1", 0, 2 << 20);
        ServerSocket artery = new ServerSocket(guard.internalPort(), 8,
            InetAddress.getLoopbackAddress());
        ServerSocket answers = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread echo = new Thread(() -> answerEachFrame(artery, answers.getLocalPort()),
          "stand-in-artery");
      echo.setDaemon(true);
      echo.start();
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
          throughGuard ? guard.publicPort() : guard.internalPort())) {
        client.setTcpNoDelay(true);
        OutputStream out = client.getOutputStream();
        out.write(new byte[] {'A', 'K', 'K', 'A', 2});
        try (Socket answer = answers.accept()) {
          InputStream in = answer.getInputStream();
          byte[] message = new byte[4 + frame];
          message[0] = (byte) frame;
          message[1] = (byte) (frame >>> 8);
          message[2] = (byte) (frame >>> 16);
          message[4] = 0; // Artery's protocol version
          long[] nanos = new long[TRIPS];
          for (int i = 0; i < WARMUP + TRIPS; i++) {
            long start = System.nanoTime();
            out.write(message);
            if (in.read() < 0) {
              throw new EOFException("the stand-in for Artery stopped answering");
            }
            if (i >= WARMUP) {
              nanos[i - WARMUP] = System.nanoTime() - start;
            }
          }
          Arrays.sort(nanos);
          return nanos[TRIPS / 2] / 1e3;
        }
      }
    }
  }

  /** Accepts one connection, reads Artery frames from it and answers each with one byte. */
  private static void answerEachFrame(ServerSocket artery, int answerPort) {
    try (Socket in = artery.accept();
        Socket answer = new Socket(InetAddress.getLoopbackAddress(), answerPort)) {
      answer.setTcpNoDelay(true);
      DataInputStream frames = new DataInputStream(new BufferedInputStream(in.getInputStream()));
      frames.readFully(new byte[5]);
      byte[] body = new byte[2 << 20];
      OutputStream out = answer.getOutputStream();
      while (true) {
        int length = Integer.reverseBytes(frames.readInt());
        frames.readFully(body, 0, length);
        out.write(1);
      }
    } catch (IOException closed) {
      // the round is over
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
