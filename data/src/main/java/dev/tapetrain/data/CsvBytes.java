package dev.tapetrain.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The lines of a byte range of a file, each with the byte offset where it starts, so that a scan
 * can note where rows begin and a worker can seek to them. Lines end at {@code \n}, {@code \r\n}
 * or a lone {@code \r}, as {@link java.io.BufferedReader#readLine} ends them; every byte of the
 * range belongs to exactly one line (its terminator included), so hashing each line's bytes
 * hashes the range. Text is UTF-8, checked line by line (a UTF-8 sequence never holds a
 * {@code \r} or {@code \n} byte). Not thread-safe; use: {@link #next}, then {@link #text},
 * {@link #start}, {@link #bytes}.
 */
final class CsvBytes {

  private final FileChannel channel;
  private final Path path;
  private long end;
  private long position;
  /** If set, every byte read from the file, in order: a checksum of the range (see below). */
  private java.util.zip.Checksum checksum;
  private byte[] buf;
  private int from;
  private int limit;
  private long bufStart;
  private boolean eof;
  private int lineFrom;
  private int textTo;
  private int lineTo;
  private long bytesRead;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);

  /** Reads bytes {@code [start, end)} of {@code channel} (the file {@code path}). */
  CsvBytes(FileChannel channel, Path path, long start, long end) {
    this.channel = channel;
    this.path = path;
    this.position = start;
    this.bufStart = start;
    this.end = end;
    // A piece's range needs no megabyte: a worker reading hundreds of single pieces (chunks
    // handed over one by one) would allocate one each. Grows in fill() for a longer line.
    this.buf = new byte[(int) Math.max(1 << 12, Math.min(1 << 20, end - start))];
  }

  /**
   * Feeds every byte this reads from the file to {@code sum}, in order: once the range is read
   * to its end ({@link #bytesRead}), {@code sum} holds the checksum of exactly the bytes the
   * lines came from, for comparing with another read of the range (a file changed between two
   * reads: {@link CsvRangeScan}). Call before the first {@link #next}.
   */
  void checksum(java.util.zip.Checksum sum) {
    this.checksum = sum;
  }

  /**
   * Reads bytes {@code [start, end)} from now on, keeping the buffer: one reader for many short
   * walks (a leaf's start from a mark: {@link CsvLeafHash}).
   */
  void reset(long start, long end) {
    this.position = start;
    this.bufStart = start;
    this.end = end;
    from = 0;
    limit = 0;
    lineFrom = 0;
    textTo = 0;
    lineTo = 0;
    eof = false;
    bytesRead = 0;
  }

  /** Whether the current line is blank ({@link String#isBlank} of its {@link #text}). */
  boolean blank() {
    boolean ascii = true;
    for (int i = lineFrom; i < textTo; i++) {
      int c = buf[i];
      if (c > ' ' && c < 0x7f) {
        return false;
      }
      ascii &= c >= 0;
    }
    // Control bytes, or UTF-8 that may be a whitespace character: decide as the text does.
    return ascii ? new String(buf, lineFrom, textTo - lineFrom,
        StandardCharsets.ISO_8859_1).isBlank() : text().isBlank();
  }

  /** Moves to the next line; false at the end of the range. */
  boolean next() throws IOException {
    from = lineTo;
    while (true) {
      int i = from;
      while (i < limit) {
        // Eight bytes at a time while none of them ends a line (the lines are long: a row of
        // 11 numbers is ~220 bytes, and a byte at a time was a tenth of the CSV scan).
        while (i + 8 <= limit && !endsLine((long) LONGS.get(buf, i))) {
          i += 8;
        }
        if (i >= limit) {
          break;
        }
        byte b = buf[i];
        if (b == '\n') {
          return found(i, i + 1);
        }
        if (b == '\r') {
          if (i + 1 < limit) {
            return found(i, buf[i + 1] == '\n' ? i + 2 : i + 1);
          }
          if (eof) {
            return found(i, i + 1);
          }
          break;
        }
        i++;
      }
      if (eof) {
        if (from < limit) {
          return found(limit, limit);
        }
        return false;
      }
      fill();
    }
  }

  /**
   * Moves to the next line if {@code row} parses it whole from the bytes already read (a row
   * of plain numbers: {@link CsvStrictRow}), so that finding the line and parsing it are one
   * pass; otherwise moves nowhere, and the caller takes the line by {@link #next}.
   *
   * @return whether the line was parsed and is now the current one
   */
  boolean nextRow(CsvStrictRow row, double[] x) {
    int at = lineTo;
    int t = row.parse(buf, at, limit, x);
    if (t < 0) {
      return false;
    }
    int after;
    if (buf[t] == '\n') {
      after = t + 1;
    } else if (t + 1 < limit) {
      after = buf[t + 1] == '\n' ? t + 2 : t + 1;
    } else {
      return false; // a \r last in the buffer: a \n may follow in the file
    }
    from = at;
    return found(t, after);
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
          java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /** Whether one of the eight bytes of {@code w} is {@code \n} or {@code \r}. */
  static boolean endsLine(long w) {
    long n = w ^ (ONES * '\n');
    long r = w ^ (ONES * '\r');
    // A byte of x is zero exactly when (x - 1) borrows into its high bit without x's own high
    // bit set; bytes above the first zero may be misjudged, but "any zero byte" is exact.
    return (((n - ONES) & ~n | (r - ONES) & ~r) & HIGHS) != 0;
  }

  private boolean found(int textEnd, int next) {
    lineFrom = from;
    textTo = textEnd;
    lineTo = next;
    return true;
  }

  private void fill() throws IOException {
    int keep = limit - from;
    if (keep > buf.length / 2) {
      byte[] bigger = new byte[buf.length * 2];
      System.arraycopy(buf, from, bigger, 0, keep);
      buf = bigger;
    } else {
      System.arraycopy(buf, from, buf, 0, keep);
    }
    bufStart += from;
    lineTo -= from;
    from = 0;
    limit = keep;
    while (limit < buf.length && position < end) {
      int want = (int) Math.min(buf.length - limit, end - position);
      int n = channel.read(ByteBuffer.wrap(buf, limit, want), position);
      if (n < 0) {
        break;
      }
      if (checksum != null) {
        checksum.update(buf, limit, n);
      }
      position += n;
      limit += n;
      bytesRead += n;
    }
    if (position >= end || limit < buf.length) {
      eof = true;
    }
  }

  /** The offset in the file of the current line's first byte. */
  long start() {
    return bufStart + lineFrom;
  }

  /** The offset just past the current line's terminator. */
  long lineEnd() {
    return bufStart + lineTo;
  }

  /** Where the current line's text ends in {@link #array} (its terminator excluded). */
  int textEnd() {
    return textTo;
  }

  /** The current line's bytes, terminator included, are {@code array()[from() .. to())}. */
  byte[] array() {
    return buf;
  }

  /** See {@link #array}. */
  int from() {
    return lineFrom;
  }

  /** See {@link #array}. */
  int to() {
    return lineTo;
  }

  /** The bytes read from the file so far. */
  long bytesRead() {
    return bytesRead;
  }

  /**
   * The current line's text without its terminator.
   *
   * @throws DataException if it is not UTF-8
   */
  String text() {
    int n = textTo - lineFrom;
    // The JDK's decoder is fastest but replaces bad bytes: only a replacement character in
    // its result needs the strict decoder to tell bad bytes from a real U+FFFD.
    String text = new String(buf, lineFrom, n, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') < 0) {
      return text;
    }
    try {
      CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(buf, lineFrom, n));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw NotUtf8.error(path);
    }
  }
}
