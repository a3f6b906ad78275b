package dev.tapetrain.coordinator.run;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The one-writer rule of a run directory: an OS-level lock on {@code run.lock}, held for as long
 * as the process trains the run. The operating system releases it when the process ends in any
 * way (also {@code kill -9}), so a crash never leaves a run locked; a second process that tries
 * to write the same run is refused with one line naming the holder.
 *
 * <p>Use: {@link #acquire} before reading the checkpoint or touching any file, {@link #close}
 * after the summary is written. Readers ({@code inspect}) never lock.
 */
public final class RunLock implements AutoCloseable {

  /** The lock file inside a run directory. */
  public static final String FILE = "run.lock";

  /**
   * The lock file also reserves this much disk space, given back by {@link #freeReserve} so the
   * final summary can still be written when the disk fills up during a run.
   */
  static final int RESERVE_BYTES = 64 * 1024;

  private final FileChannel channel;
  private final FileLock lock;
  private final long holderBytes;

  private RunLock(FileChannel channel, FileLock lock, long holderBytes) {
    this.channel = channel;
    this.lock = lock;
    this.holderBytes = holderBytes;
  }

  /**
   * Locks the run in {@code dir} for this process and records who holds it (pid, host, time).
   *
   * @param option the option that named the directory, for the message
   * @throws RunDirectoryException if another process (or this one) holds the lock, or the lock
   *     file cannot be opened
   */
  public static RunLock acquire(Path dir, String option) {
    Path file = dir.resolve(FILE);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new RunDirectoryException(option + " " + dir + ": cannot open " + FILE + ": "
          + e.getMessage());
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      close(channel);
      throw new RunDirectoryException(option + " " + dir + ": cannot lock " + FILE + ": "
          + e.getMessage());
    }
    if (lock == null) {
      String holder = holder(file);
      close(channel);
      throw new RunDirectoryException(option + " " + dir + ": the run is in use by another "
          + "process (" + holder + "); a run has one writer at a time (wait for it to end, or "
          + "stop it)");
    }
    byte[] me = ("pid " + ProcessHandle.current().pid() + " on " + hostName() + ", since "
        + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(me), 0);
      // Whitespace after the holder line: space a full disk cannot take from the summary.
      byte[] reserve = new byte[RESERVE_BYTES];
      java.util.Arrays.fill(reserve, (byte) ' ');
      reserve[reserve.length - 1] = '\n';
      channel.write(ByteBuffer.wrap(reserve), me.length);
      channel.force(false);
    } catch (IOException e) {
      // The lock itself is what counts; the description is for the message of a second writer.
    }
    return new RunLock(channel, lock, me.length);
  }

  /** Gives the reserved disk space back (the disk is full and the summary must be written). */
  public void freeReserve() {
    try {
      channel.truncate(holderBytes);
    } catch (IOException e) {
      // Nothing more can be freed; the caller's write will report the full disk.
    }
  }

  /** Who holds the lock of {@code file}, as written by the holder. */
  private static String holder(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "holder unknown" : text;
    } catch (IOException e) {
      return "holder unknown";
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  private static void close(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing was written through it.
    }
  }

  /** Releases the lock (the file stays; it means nothing without a live holder). */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // Closing the channel releases it as well.
    }
    close(channel);
  }
}
