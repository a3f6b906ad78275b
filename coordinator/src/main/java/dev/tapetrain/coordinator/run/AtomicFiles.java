package dev.tapetrain.coordinator.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way a run directory replaces a file: write a temporary file beside it, force it to
 * disk, rename it over the target, force the directory (so the rename itself survives a power
 * loss). A reader (or a crash) sees the old file or the new one; a failed write (a full disk)
 * leaves the old file and no temporary file behind.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  /**
   * Replaces {@code file} with {@code bytes}.
   *
   * @throws UncheckedIOException naming the file and the cause if it cannot be written
   */
  public static void write(Path file, byte[] bytes) {
    // A thread's interrupt closes a channel it writes through (ClosedByInterruptException): an
    // interrupted Java API run failed "cannot write config.json: null" instead of ending as
    // interrupted. The file is written whole; the interrupt is kept for the caller to act on.
    boolean interrupted = Thread.interrupted();
    try {
      for (int attempt = 0; ; attempt++) {
        try {
          writeOnce(file, bytes);
          return;
        } catch (UncheckedIOException e) {
          if (!(e.getCause() instanceof java.nio.channels.ClosedByInterruptException)
              || attempt > 0) {
            throw e;
          }
          interrupted |= Thread.interrupted();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void writeOnce(Path file, byte[] bytes) {
    Path tmp = temporarySibling(file);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
        ch.force(true);
      }
      replace(tmp, file);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // The message below names the real problem.
      }
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Where a new version of {@code file} is written before {@link #moveInto} replaces it. */
  public static Path temporarySibling(Path file) {
    return file.toAbsolutePath().resolveSibling(file.getFileName() + ".tmp");
  }

  /**
   * For files written as streams: forces {@code tmp} (from {@link #temporarySibling}) to disk
   * and renames it over {@code file} in one step.
   */
  public static void moveInto(Path tmp, Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    replace(tmp, file);
  }

  /** The rename every replacement ends with: in one step, over the old file, made durable. */
  private static void replace(Path tmp, Path file) throws IOException {
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(file.toAbsolutePath().getParent());
  }

  /**
   * Forces {@code dir}'s entries to disk: after a rename or a new file, the file's data are
   * durable only once its directory entry is (POSIX: fsync of the directory). Where a directory
   * cannot be opened for that (not POSIX), there is nothing more to do.
   */
  public static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException e) {
      // Windows opens no directory as a channel; its renames are durable by other means.
    }
  }

  /**
   * Where {@code option}'s file will be written: refused in one line, before any work, if it is
   * a directory, its directory does not exist or cannot be written, or it is {@code input}
   * (which the output would replace).
   *
   * @param input the file the command reads, or null
   * @throws dev.tapetrain.spi.UserError naming the option, the path and the problem
   */
  public static void checkTarget(String option, Path file, Path input) {
    Path abs = file.toAbsolutePath().normalize();
    if (Files.isDirectory(abs)) {
      throw new dev.tapetrain.spi.UserError(option + " " + file + ": is a directory; name a file");
    }
    Path dir = abs.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new dev.tapetrain.spi.UserError(option + " " + file + ": no such directory " + dir);
    }
    if (!Files.isWritable(dir)) {
      throw new dev.tapetrain.spi.UserError(option + " " + file + ": cannot write in " + dir);
    }
    try {
      if (input != null && Files.exists(abs) && Files.isSameFile(abs, input)) {
        throw new dev.tapetrain.spi.UserError(option + " " + file + ": is the input file, which "
            + "it would replace; write elsewhere");
      }
    } catch (IOException e) {
      // Not comparable: not the same file.
    }
  }
}
