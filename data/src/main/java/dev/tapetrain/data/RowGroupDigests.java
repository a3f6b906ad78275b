package dev.tapetrain.data;

import dev.tapetrain.protocol.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Parquet part of a dataset's manifest: per file its size, the SHA-256 of every byte outside
 * the row groups (magic numbers, footer, page indexes) and per row group the byte range of its
 * column chunks and their SHA-256, so a worker verifies the row groups it reads and not the
 * others. One line per file in the source setting {@value #SETTING}:
 * {@code <size> <rest sha256> <start>-<end>:<sha256> …}, hex digests.
 *
 * <p>The line is also the file's identity: since 2026-12-07 a scan records as the file's digest
 * {@code rg1:} and the SHA-256 of its line ({@link #identity}), which covers every byte of the
 * file once (the rest, and each row group at its place), so the scan hashes each byte once
 * instead of twice (the whole file, then its parts). Runs recorded before hold each file's
 * whole SHA-256 with the same line, and are checked as before ({@link #isIdentity} tells them
 * apart). A file whose row groups are out of order has no line and keeps its whole SHA-256.
 */
final class RowGroupDigests {

  /** The source setting that holds the lines. */
  static final String SETTING = "row-groups";

  /** Bytes read by every verification in this JVM: a test's measure of what a worker reads. */
  static final LongAdder BYTES_READ = new LongAdder();

  private RowGroupDigests() {}

  /** The prefix of a file identity made from its line ({@link #identity}). */
  static final String IDENTITY = "rg1:";

  /**
   * The file's digest as a scan records it — {@link #identity} of its line, or the whole file's
   * SHA-256 with a null line (row groups out of order) — and its line.
   */
  record Scanned(String sha256, String line) {}

  /** The file identity of the file whose line is {@code line}: {@code rg1:<SHA-256 of line>}. */
  static String identity(String line) {
    return IDENTITY + Hashing.sha256Hex(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Whether {@code digest} is a file identity made from a line, not a whole file's SHA-256. */
  static boolean isIdentity(String digest) {
    return digest.startsWith(IDENTITY);
  }

  /**
   * Hashes {@code file} in one read, each byte once: each row group's {@code ranges} and the
   * rest (or, if the ranges are out of order, the whole file).
   *
   * @throws DataException if it cannot be read
   */
  static Scanned scan(Path file, List<long[]> ranges) {
    boolean ordered = true;
    long last = 4; // "PAR1"
    for (long[] r : ranges) {
      ordered &= r[0] >= last && r[1] >= r[0];
      last = r[1];
    }
    MessageDigest whole = Hashing.sha256();
    MessageDigest rest = Hashing.sha256();
    List<MessageDigest> groups = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      groups.add(Hashing.sha256());
    }
    long size;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      size = ch.size();
      // A direct buffer: the channel reads into it with no copy through a temporary one (a heap
      // array is filled from the JDK's own direct buffer), and the digest takes it in pieces
      // that stay in cache: one copy of the file's bytes fewer, and no 1 MiB of new heap.
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      long pos = 0;
      int g = 0;
      while (pos < size) {
        buf.clear();
        int n = ch.read(buf, pos);
        if (n < 0) {
          throw new DataException(file + ": changed while it was read");
        }
        buf.flip();
        if (!ordered) {
          whole.update(buf);
        } else {
          int at = 0;
          while (at < n) {
            long p = pos + at;
            while (g < ranges.size() && ranges.get(g)[1] <= p) {
              g++;
            }
            boolean in = g < ranges.size() && ranges.get(g)[0] <= p;
            long until = g >= ranges.size() ? Long.MAX_VALUE : in ? ranges.get(g)[1]
                : ranges.get(g)[0];
            int take = (int) Math.min(n - at, until - p);
            buf.limit(at + take).position(at);
            (in ? groups.get(g) : rest).update(buf);
            at += take;
          }
        }
        pos += n;
      }
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
    if (!ordered) {
      return new Scanned(HexFormat.of().formatHex(whole.digest()), null);
    }
    StringBuilder line = new StringBuilder().append(size).append(' ')
        .append(HexFormat.of().formatHex(rest.digest()));
    for (int i = 0; i < ranges.size(); i++) {
      line.append(' ').append(ranges.get(i)[0]).append('-').append(ranges.get(i)[1]).append(':')
          .append(HexFormat.of().formatHex(groups.get(i).digest()));
    }
    return new Scanned(identity(line.toString()), line.toString());
  }

  /**
   * Checks that the bytes outside the row groups and those of row groups {@code wanted} are the
   * coordinator's ({@code line}, one file's line of {@link #scan}).
   *
   * @throws DataException naming the file and what differs
   */
  static void verify(Path file, String line, Set<Integer> wanted) {
    String[] f = line.split(" ");
    long size = Long.parseLong(f[0]);
    long[][] ranges = new long[f.length - 2][];
    String[] digests = new String[f.length - 2];
    for (int i = 2; i < f.length; i++) {
      int dash = f[i].indexOf('-');
      int colon = f[i].indexOf(':');
      ranges[i - 2] = new long[] {Long.parseLong(f[i].substring(0, dash)),
          Long.parseLong(f[i].substring(dash + 1, colon))};
      digests[i - 2] = f[i].substring(colon + 1);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() != size) {
        throw differs(file, ch.size() + " bytes here, " + size + " bytes there");
      }
      MessageDigest rest = Hashing.sha256();
      long at = 0;
      for (long[] r : ranges) {
        hash(ch, at, r[0], rest);
        at = r[1];
      }
      hash(ch, at, size, rest);
      String got = HexFormat.of().formatHex(rest.digest());
      if (!got.equals(f[1])) {
        throw differs(file, "its footer: SHA-256 " + abbreviate(got) + " here, "
            + abbreviate(f[1]) + " there");
      }
      for (int g : wanted) {
        MessageDigest sha = Hashing.sha256();
        hash(ch, ranges[g][0], ranges[g][1], sha);
        got = HexFormat.of().formatHex(sha.digest());
        if (!got.equals(digests[g])) {
          throw differs(file, "row group " + g + ": SHA-256 " + abbreviate(got) + " here, "
              + abbreviate(digests[g]) + " there");
        }
      }
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
  }

  private static void hash(FileChannel ch, long from, long to, MessageDigest sha)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long pos = from;
    while (pos < to) {
      buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("the file ended early");
      }
      sha.update(buf.array(), 0, n);
      pos += n;
      BYTES_READ.add(n);
    }
  }

  private static DataException differs(Path file, String how) {
    return new DataException(file + ": this copy differs from the coordinator's (" + how + ")");
  }

  private static DataException cannotRead(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new DataException(file + ": no such file");
    }
    if (e instanceof AccessDeniedException) {
      return new DataException(file + ": permission denied");
    }
    return new DataException(file + ": cannot read: " + e.getMessage(), e);
  }

  private static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }
}
