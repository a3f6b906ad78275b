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
 * after the summary is written. Readers ({@code inspect}, {@code predict}) never take the lock;
 * they may ask whether anyone holds it ({@link #isHeld}).
 *
 * <p>The locks are POSIX record locks on Linux, which belong to the process, and closing any
 * channel of the file releases every lock the process holds on it: so this JVM's own locks are
 * also kept in a table, and a file this JVM has locked is never opened a second time here.
 */
public final class RunLock implements AutoCloseable {

  /** The lock file inside a run directory. */
  public static final String FILE = "run.lock";

  /**
   * The lock file also reserves this much disk space, given back by {@link #freeReserve} so the
   * final summary can still be written when the disk fills up during a run.
   */
  static final int RESERVE_BYTES = 64 * 1024;

  // The lock files this JVM holds (real paths), guarded by their own monitor, which also
  // serialises opening and closing channels of lock files within this JVM.
  private static final java.util.Set<Path> HELD = new java.util.HashSet<>();

  private final FileChannel channel;
  private final FileLock lock;
  private final long holderBytes;
  private final Path realFile;
  private boolean closed;

  private RunLock(FileChannel channel, FileLock lock, long holderBytes, Path realFile) {
    this.channel = channel;
    this.lock = lock;
    this.holderBytes = holderBytes;
    this.realFile = realFile;
  }

  /**
   * Whether a process (this one included) holds the lock of the run in {@code dir}: false when
   * there is no lock file, or nobody holds it (the writer ended, also by {@code kill -9}). Takes
   * a shared lock for an instant and releases it at once, through a read-only channel: nothing
   * is written; a writer starting in that instant is refused as if the run were in use.
   */
  public static boolean isHeld(Path dir) {
    Path file = dir.resolve(FILE);
    synchronized (HELD) {
      Path real;
      try {
        real = file.toRealPath();
      } catch (IOException e) {
        return false; // no lock file: nobody ever locked this run, or it is not readable
      }
      if (HELD.contains(real)) {
        return true;
      }
      try (FileChannel probe = FileChannel.open(real, StandardOpenOption.READ)) {
        FileLock shared = probe.tryLock(0, Long.MAX_VALUE, true);
        if (shared == null) {
          return true;
        }
        shared.release();
        return false;
      } catch (OverlappingFileLockException e) {
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }

  /**
   * Locks the run in {@code dir} for this process and records who holds it (pid, host, time).
   *
   * @param option the option that named the directory, for the message
   * @throws RunDirectoryException if another process (or this one) holds the lock, or the lock
   *     file cannot be opened
   */
  public static RunLock acquire(Path dir, String option) {
    synchronized (HELD) {
      return lock(dir, option);
    }
  }

  private static RunLock lock(Path dir, String option) {
    Path file = dir.resolve(FILE);
    Path real = null;
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      // No lock file yet: nobody in this JVM holds it.
    }
    if (real != null && HELD.contains(real)) {
      // Not even reading the file: closing it would release this process's lock.
      throw inUse(option, dir, "this process, pid " + ProcessHandle.current().pid());
    }
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
      RunDirectoryException e = inUse(option, dir, holder(file));
      close(channel);
      throw e;
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
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      real = file.toAbsolutePath().normalize();
    }
    HELD.add(real);
    return new RunLock(channel, lock, me.length, real);
  }

  /** Gives the reserved disk space back (the disk is full and the summary must be written). */
  public void freeReserve() {
    try {
      channel.truncate(holderBytes);
    } catch (IOException e) {
      // Nothing more can be freed; the caller's write will report the full disk.
    }
  }

  private static RunDirectoryException inUse(String option, Path dir, String holder) {
    return new RunDirectoryException(option + " " + dir + ": the run is in use by another "
        + "process (" + holder + "); a run has one writer at a time (wait for it to end, or "
        + "stop it)");
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

  /**
   * Releases the lock (the file stays; it means nothing without a live holder). A second close
   * does nothing (it must not forget a later holder of the same file in this JVM).
   */
  @Override
  public void close() {
    synchronized (HELD) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        lock.release();
      } catch (IOException ignored) {
        // Closing the channel releases it as well.
      }
      close(channel);
      HELD.remove(realFile);
    }
  }
}
