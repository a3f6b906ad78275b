package dev.tapetrain.protocol;

import com.typesafe.config.Config;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import java.util.ArrayList;
import java.util.List;

/**
 * What fits in one message on the wire: Artery refuses a frame above its
 * {@code maximum-frame-size} (2 MiB here), which bounds what a hostile peer can make a node
 * allocate. A worker's answer is split into messages of whole chunk-tree nodes that each stay
 * well inside it; a model whose parameters alone would not fit one message is refused with the
 * numbers.
 */
public final class WireLimits {

  /** Bytes per number on the wire (packed float64), with room for names, shapes and tags. */
  static final int BYTES_PER_VALUE = 8;

  private WireLimits() {}

  /** The frame limit of a node's configuration (Akka's default where remoting is off). */
  public static long maxFrameBytes(Config config) {
    String path = "akka.remote.artery.advanced.maximum-frame-size";
    return config.hasPath(path) ? config.getBytes(path) : 256 * 1024;
  }

  /** How many numbers one message may carry: half the frame, for a wide margin. */
  public static long maxValuesPerMessage(Config config) {
    return Math.max(1, maxFrameBytes(config) / 2 / BYTES_PER_VALUE);
  }

  /**
   * {@code results} cut into consecutive groups of at most {@code maxValues} gradient values
   * each (a single node that is larger forms a group of its own).
   */
  public static List<List<ChunkResult>> split(List<ChunkResult> results, long maxValues) {
    List<List<ChunkResult>> out = new ArrayList<>();
    List<ChunkResult> current = new ArrayList<>();
    long values = 0;
    for (ChunkResult r : results) {
      long size = 1;
      for (NamedTensor g : r.gradients()) {
        size += g.size();
      }
      if (!current.isEmpty() && values + size > maxValues) {
        out.add(current);
        current = new ArrayList<>();
        values = 0;
      }
      current.add(r);
      values += size;
    }
    if (!current.isEmpty() || out.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  /**
   * Null if a model of {@code parameters} values fits a message under {@code config}, else the
   * message that says it does not and what to do.
   */
  public static String checkModel(long parameters, Config config) {
    long bytes = parameters * BYTES_PER_VALUE;
    long frame = maxFrameBytes(config);
    if (bytes <= frame * 9 / 10) {
      return null;
    }
    // Two decimals: 1.98 MiB against a 2 MiB frame must not read "2.0 over 2.0".
    return String.format(java.util.Locale.ROOT, "the model has %d parameters: %.2f MiB in one "
            + "message, over the %.2f MiB (90%%) that may be used of Artery's "
            + "maximum-frame-size of %.2f MiB; raise it on every node with "
            + "-Dakka.remote.artery.advanced.maximum-frame-size=%dMiB",
        parameters, bytes / 1048576.0, frame * 9 / 10 / 1048576.0, frame / 1048576.0,
        (bytes * 2 >> 20) + 1);
  }

  /**
   * Null if a dataset whose description takes {@code bytes} in a shard assignment fits a message
   * under {@code config}, else the message that says it does not and what to do. The description
   * holds every file's path, size and digest and the manifest that lets a worker read only its
   * rows (about 185 bytes a file with a short path, 37 a piece): some 10 000 files fill the 2 MiB
   * frame.
   */
  public static String checkDataset(long bytes, Config config) {
    long frame = maxFrameBytes(config);
    if (bytes <= frame * 9 / 10) {
      return null;
    }
    return String.format(java.util.Locale.ROOT, "the data's description (every file's path, "
            + "size and digest, and where each worker's rows are) takes %.2f MiB in every shard "
            + "assignment, over the %.2f MiB (90%%) that may be used of Artery's "
            + "maximum-frame-size of %.2f MiB; join the files into fewer, or raise it on every "
            + "node with -Dakka.remote.artery.advanced.maximum-frame-size=%dMiB",
        bytes / 1048576.0, frame * 9 / 10 / 1048576.0, frame / 1048576.0,
        (bytes * 2 >> 20) + 1);
  }
}
