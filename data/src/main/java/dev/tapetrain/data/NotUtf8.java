package dev.tapetrain.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one-line refusal of a CSV file that is not UTF-8, naming the first bad byte's line and
 * offset (a bare "not UTF-8 text" left the user to hunt through a large file), or what the file
 * obviously is instead (gzip, Parquet, UTF-16). Runs only on the error path, so it re-reads the
 * file from its start rather than making every reader count lines and offsets.
 */
final class NotUtf8 {

  private NotUtf8() {
  }

  /** The error for {@code path}, found not to be UTF-8 by some reader. */
  static DataException error(Path path) {
    return new DataException(path + message(path));
  }

  /** The message after the path: {@code ":LINE: not UTF-8 text (…)"} or a hint. */
  static String message(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      byte[] head = in.readNBytes(4);
      String hint = hint(head, path);
      if (hint != null) {
        return ": not UTF-8 text: " + hint;
      }
      return firstBadByte(path);
    } catch (IOException e) {
      return ": not UTF-8 text";
    }
  }

  /**
   * What a file starting with {@code head} is, if obviously not a text file; else null. A
   * Parquet file already named *.parquet was read as CSV because --format said so: renaming it
   * is no advice.
   */
  static String hint(byte[] head, Path path) {
    String hint = hint(head);
    Path name = path == null ? null : path.getFileName();
    if (hint != null && hint.startsWith("a Parquet file") && name != null
        && name.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".parquet")) {
      return "a Parquet file: pass --format parquet (or leave --format out)";
    }
    return hint;
  }

  /** What a file starting with {@code head} is, if obviously not a text file; else null. */
  static String hint(byte[] head) {
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return "gzip data: decompress it first";
    }
    if (head.length >= 4 && head[0] == 'P' && head[1] == 'A' && head[2] == 'R'
        && head[3] == '1') {
      return "a Parquet file: name it *.parquet or pass --format parquet";
    }
    if (head.length >= 2 && ((head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xfe
        || (head[0] & 0xff) == 0xfe && (head[1] & 0xff) == 0xff)) {
      return "UTF-16 text: save it as UTF-8";
    }
    return null;
  }

  private static String firstBadByte(Path path) throws IOException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer bytes = ByteBuffer.allocate(1 << 16).limit(0);
    CharBuffer chars = CharBuffer.allocate(1 << 16);
    long consumed = 0; // bytes before bytes.position() of the buffer's content
    long line = 1;
    try (InputStream in = Files.newInputStream(path)) {
      boolean eof = false;
      while (true) {
        int n = eof ? -1 : in.read(bytes.array(), bytes.limit(), bytes.capacity() - bytes.limit());
        if (n < 0) {
          eof = true;
        } else {
          bytes.limit(bytes.limit() + n);
        }
        int before = bytes.position();
        CoderResult r = decoder.decode(bytes, chars, eof);
        // A newline byte is never inside a multi-byte sequence: count the consumed ones.
        for (int i = before; i < bytes.position(); i++) {
          if (bytes.get(i) == '\n') {
            line++;
          }
        }
        consumed += bytes.position() - before;
        chars.clear();
        if (r.isError()) {
          int bad = bytes.get(bytes.position()) & 0xff;
          return ":" + line + ": not UTF-8 text (byte 0x" + String.format("%02X", bad)
              + " at byte offset " + consumed + ")";
        }
        if (r.isOverflow()) {
          continue;
        }
        if (eof) {
          return ": not UTF-8 text";
        }
        bytes.compact().flip(); // the unread tail (a cut sequence) now at [0, limit)
      }
    }
  }
}
