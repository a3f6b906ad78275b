package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a run's steps.jsonl one line at a time: memory independent of the log's length (one
 * line's bytes and its JSON tree at a time), so a log of millions of steps is read in a small
 * heap. A last line cut short by a crash (no newline, not valid JSON) is skipped with a warning;
 * an invalid line before the last is an error naming the file and line.
 *
 * <p>Use: {@link #open} (the whole log) or {@link #from} (the lines appended since a position,
 * e.g. to follow a run in progress), {@link #next} until it returns null, {@link #close}.
 */
public final class StepReader implements AutoCloseable {

  // FastDoubleParser: correctly rounded (every number reads back to the double that was
  // written), several times faster than the JDK's, which dominated reading a long log.
  private static final ObjectReader READER = Json.MAPPER.reader()
      .with(StreamReadFeature.USE_FAST_DOUBLE_PARSER);

  private final Path file;
  private final InputStream in;
  private final boolean waitForNewline;
  private final byte[] buffer = new byte[1 << 16];
  private int bufferStart;
  private int bufferEnd;
  private byte[] line = new byte[1 << 12];
  private long position;
  private long lineNumber;
  private final List<String> warnings = new ArrayList<>();

  private StepReader(Path file, InputStream in, long position, boolean waitForNewline) {
    this.file = file;
    this.in = in;
    this.position = position;
    this.waitForNewline = waitForNewline;
  }

  /** The steps.jsonl of the run in {@code dir} from its first line; empty if there is none. */
  public static StepReader open(Path dir) {
    return from(dir.resolve(RunDirectory.STEPS), 0, false);
  }

  /**
   * The lines of {@code file} from byte {@code position} (the end of a line, e.g. a previous
   * reader's {@link #position()}); empty if the file does not exist.
   *
   * @param waitForNewline whether a last line without its newline is left unread, because the
   *     writer may still be writing it (following a run in progress), rather than read or
   *     skipped with a warning (a log that is complete, or as complete as it will be)
   */
  public static StepReader from(Path file, long position, boolean waitForNewline) {
    InputStream in;
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      channel.position(position);
      in = Channels.newInputStream(channel);
    } catch (NoSuchFileException e) {
      in = InputStream.nullInputStream();
    } catch (IOException e) {
      throw new RunDirectoryException(file + ": cannot read: " + e.getMessage());
    }
    return new StepReader(file, in, position, waitForNewline);
  }

  /** The size of {@code file} in bytes, 0 if it does not exist. */
  public static long size(Path file) {
    try {
      return Files.size(file);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new RunDirectoryException(file + ": cannot read: " + e.getMessage());
    }
  }

  /**
   * The next line's JSON object, or null at the end of the file.
   *
   * @throws RunDirectoryException if a line other than the last is not valid JSON, or the file
   *     cannot be read
   */
  public JsonNode next() {
    while (true) {
      // The line's bytes: in place in the buffer when it lies there whole, else gathered.
      byte[] bytes = buffer;
      int offset = bufferStart;
      int length = 0;
      boolean gathered = false;
      boolean newline = false;
      try {
        while (true) {
          if (bufferStart == bufferEnd) {
            if (!gathered && length > 0) {
              gather(bytes, offset, length, 0);
              gathered = true;
            }
            int n = in.read(buffer);
            if (n < 0) {
              break;
            }
            bufferStart = 0;
            bufferEnd = n;
            if (!gathered) {
              offset = 0;
            }
          }
          int end = bufferStart;
          while (end < bufferEnd && buffer[end] != '\n') {
            end++;
          }
          if (gathered) {
            gather(buffer, bufferStart, end - bufferStart, length);
          }
          length += end - bufferStart;
          bufferStart = end;
          if (end < bufferEnd) {
            bufferStart++; // past the newline
            newline = true;
            break;
          }
        }
      } catch (IOException e) {
        throw new RunDirectoryException(file + ": cannot read: " + e.getMessage());
      }
      if (gathered) {
        bytes = line;
        offset = 0;
      }
      if (!newline && (length == 0 || waitForNewline)) {
        return null; // the end, or a line still being written
      }
      position += length + (newline ? 1 : 0);
      lineNumber++;
      if (blank(bytes, offset, length)) {
        continue;
      }
      try {
        return READER.readTree(bytes, offset, length);
      } catch (IOException e) {
        if (newline) {
          throw new RunDirectoryException(file + ":" + lineNumber + ": not valid JSON");
        }
        warnings.add(file + ":" + lineNumber + ": last line is incomplete (still being "
            + "written, or the run was stopped while writing it); ignored");
        return null;
      }
    }
  }

  /** Copies {@code count} bytes to {@link #line} at {@code at}, growing it as needed. */
  private void gather(byte[] from, int offset, int count, int at) {
    if (at + count > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, at + count));
    }
    System.arraycopy(from, offset, line, at, count);
  }

  private static boolean blank(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
        return false;
      }
    }
    return true;
  }
  /** The byte offset just after the last line read (where a later reader goes on). */
  public long position() {
    return position;
  }

  /** Problems tolerated so far (one line each). */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException ignored) {
      // Read only: nothing to lose.
    }
  }
}
