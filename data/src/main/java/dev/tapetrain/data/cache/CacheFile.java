package dev.tapetrain.data.cache;

import dev.tapetrain.protocol.DatasetSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The format of a column-cache file ({@code <key>.cols}), little-endian throughout:
 *
 * <pre>
 *   0  8 bytes  magic "TTCOLS01"
 *   8  int      columns K (the features in the model's order, then the target)
 *  12  int      log2 of the values per checksum block (17: 1 MiB of doubles)
 *  16  long     rows N
 *  24  32 bytes the key (SHA-256, see {@link #key})
 *  56  int      length of the dataset's digest text, then its UTF-8 bytes (at most 256)
 * 316  int      CRC32C of bytes 0..316 and of the checksum table
 * 320  int[K × blocks] CRC32C of each block of each column (column-major)
 *  …   zeros up to a multiple of 4096: the data start
 *      column 0's N doubles, column 1's N doubles, …, the target's N doubles
 * </pre>
 *
 * The file's size is exactly the data start plus {@code 8 × K × N}: a truncated file is refused
 * by its size, a damaged header by its checksum, damaged values by their block's checksum.
 */
public final class CacheFile {

  static final byte[] MAGIC = "TTCOLS01".getBytes(StandardCharsets.US_ASCII);
  /** Values per checksum block, as a power of two: 2^17 doubles = 1 MiB. */
  static final int BLOCK_SHIFT = 17;
  static final int DIGEST_AT = 56;
  static final int MAX_DIGEST_BYTES = 256;
  static final int HEADER_CRC_AT = 316;
  static final int TABLE_AT = 320;
  /** The extension of a finished cache file. */
  public static final String EXTENSION = ".cols";

  // Settings that say where the data are or how the scan cut them: the digest covers the
  // values they name, so the same data at another path or from another scan share an entry.
  private static final Set<String> PLACE_SETTINGS =
      Set.of("path", "paths", "file-rows", "file-digests", "manifest", "row-groups");

  private CacheFile() {}

  /** What a valid header says. */
  record Header(int columns, long rows, byte[] key, String digest, int[] crcs) {

    long blocksPerColumn() {
      return CacheFile.blocks(rows);
    }

    long dataStart() {
      return CacheFile.dataStart(columns, rows);
    }

    long fileSize() {
      return dataStart() + 8L * columns * rows;
    }
  }

  /**
   * The key of {@code source}'s cache entry: the SHA-256 of the format, the dataset's digest, its
   * rows, the feature and target columns, and every setting that can change a value (for
   * generated data: the generator's numbers), but not where the files are.
   */
  public static String key(DatasetSpec.Source source) {
    StringBuilder text = new StringBuilder("tapetrain column cache 1\n");
    text.append("format ").append(source.format()).append('\n');
    text.append("digest ").append(source.digest()).append('\n');
    text.append("rows ").append(source.rows()).append('\n');
    for (String c : source.columns()) {
      text.append("feature ").append(c.length()).append(' ').append(c).append('\n');
    }
    text.append("target ").append(source.target()).append('\n');
    for (Map.Entry<String, String> s : source.settings().entrySet()) {
      if (!PLACE_SETTINGS.contains(s.getKey())) {
        text.append("setting ").append(s.getKey()).append(' ').append(s.getValue().length())
            .append(' ').append(s.getValue()).append('\n');
      }
    }
    return HexFormat.of().formatHex(sha256(text.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** The file of {@code key} in {@code dir}. */
  public static Path path(Path dir, String key) {
    return dir.resolve(key + EXTENSION);
  }

  static long blocks(long rows) {
    return (rows + (1L << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT;
  }

  static long dataStart(int columns, long rows) {
    long table = TABLE_AT + 4L * columns * blocks(rows);
    return (table + 4095) & ~4095L;
  }

  /** The header of a file holding {@code columns × rows} values with these block checksums. */
  static ByteBuffer header(int columns, long rows, String key, String digest, int[] crcs) {
    long start = dataStart(columns, rows);
    if (start > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many rows for one cache file: " + rows);
    }
    ByteBuffer b = ByteBuffer.allocate((int) start).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(columns).putInt(BLOCK_SHIFT).putLong(rows);
    b.put(HexFormat.of().parseHex(key));
    byte[] d = digest.getBytes(StandardCharsets.UTF_8);
    if (d.length > MAX_DIGEST_BYTES) {
      throw new IllegalArgumentException("digest too long for the cache: " + digest);
    }
    b.putInt(DIGEST_AT, d.length).put(DIGEST_AT + 4, d);
    for (int i = 0; i < crcs.length; i++) {
      b.putInt(TABLE_AT + 4 * i, crcs[i]);
    }
    b.putInt(HEADER_CRC_AT, headerCrc(b, crcs.length));
    b.clear();
    return b;
  }

  private static int headerCrc(ByteBuffer b, int tableEntries) {
    CRC32C crc = new CRC32C();
    crc.update(b.duplicate().position(0).limit(HEADER_CRC_AT));
    crc.update(b.duplicate().position(TABLE_AT).limit(TABLE_AT + 4 * tableEntries));
    return (int) crc.getValue();
  }

  /**
   * Reads and checks the header of {@code ch}, the file of {@code key}.
   *
   * @return the header, or null with {@code why[0]} set if the file is not a valid entry of key
   */
  static Header read(FileChannel ch, String key, String[] why) throws IOException {
    long size = ch.size();
    ByteBuffer fixed = ByteBuffer.allocate(TABLE_AT).order(ByteOrder.LITTLE_ENDIAN);
    if (size < TABLE_AT || ch.read(fixed, 0) < TABLE_AT) {
      why[0] = "truncated (" + size + " bytes)";
      return null;
    }
    byte[] magic = new byte[MAGIC.length];
    fixed.get(0, magic);
    if (!Arrays.equals(magic, MAGIC)) {
      why[0] = "not a tapetrain column cache file";
      return null;
    }
    int columns = fixed.getInt(8);
    long rows = fixed.getLong(16);
    if (columns < 1 || rows < 1 || fixed.getInt(12) != BLOCK_SHIFT
        || blocks(rows) * columns > Integer.MAX_VALUE / 8) {
      why[0] = "damaged header";
      return null;
    }
    long expected = dataStart(columns, rows) + 8L * columns * rows;
    if (size != expected) {
      why[0] = "truncated or damaged (" + size + " bytes, " + expected + " expected)";
      return null;
    }
    int entries = (int) (blocks(rows) * columns);
    ByteBuffer all = ByteBuffer.allocate(TABLE_AT + 4 * entries).order(ByteOrder.LITTLE_ENDIAN);
    while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
      // keep reading
    }
    int len = all.getInt(DIGEST_AT);
    if (len < 0 || len > MAX_DIGEST_BYTES || all.getInt(HEADER_CRC_AT) != headerCrc(all,
        entries)) {
      why[0] = "damaged header (checksum)";
      return null;
    }
    byte[] k = new byte[32];
    all.get(24, k);
    if (!HexFormat.of().formatHex(k).equals(key)) {
      why[0] = "holds other data (key " + HexFormat.of().formatHex(k) + ")";
      return null;
    }
    byte[] d = new byte[len];
    all.get(DIGEST_AT + 4, d);
    int[] crcs = new int[entries];
    for (int i = 0; i < entries; i++) {
      crcs[i] = all.getInt(TABLE_AT + 4 * i);
    }
    return new Header(columns, rows, k, new String(d, StandardCharsets.UTF_8), crcs);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
