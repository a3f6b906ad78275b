package dev.tapetrain.coordinator.run;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the directory of a new run, where {@link RunDirectory#create} then writes: names a fresh
 * one under a root ({@link #under}), and creates it with its missing parents, durably, never
 * over an existing one ({@link #make}). A creation that fails takes back what it made.
 */
public final class NewDirectory {

  private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private NewDirectory() {}

  /** A fresh directory name under {@code root}: {@code yyyyMMdd-HHmmss}, suffixed if taken. */
  public static Path under(Path root) {
    String id = LocalDateTime.now().format(ID);
    Path p = root.resolve(id);
    for (int i = 2; Files.exists(p); i++) {
      p = root.resolve(id + "-" + i);
    }
    return p;
  }

  /**
   * Creates the directory {@code dir} and its missing parents; an existing empty directory is
   * taken as it is (a folder made for the run beforehand: nothing in it to overwrite).
   *
   * @throws RunDirectoryException if it exists and is not an empty directory, or cannot be
   *                               created
   */
  static void make(Path dir) {
    // The directories this creates, so that a failure takes them back (a name too long for the
    // file system must not leave a trail of empty parents behind).
    List<Path> created = new ArrayList<>();
    try {
      Path parent = dir.toAbsolutePath().getParent();
      for (Path p = parent; p != null && !Files.exists(p); p = p.getParent()) {
        created.add(0, p);
      }
      for (Path p : created) {
        Files.createDirectory(p);
      }
      Files.createDirectory(dir);
      // The new directories' entries, durable: a run that says it exists survives a power loss.
      AtomicFiles.forceDirectory(dir.toAbsolutePath().getParent());
    } catch (FileAlreadyExistsException e) {
      removeCreated(created);
      if (isEmptyDirectory(dir) || holdsOnlyLock(dir)) {
        return; // a lock held by a live process is refused by RunLock.acquire
      }
      if (Files.exists(dir.resolve("summary.json")) && !Checkpoints.holdsState(dir.resolve(Checkpoints.FILE))
          && !RunLock.isHeld(dir)) {
        throw new RunDirectoryException("--run-dir " + dir + " already exists and holds a run "
            + "that stopped before its first checkpoint (interrupted or killed as it started): "
            + "start it over there with --resume-if-exists, or pick a new directory");
      }
      throw new RunDirectoryException("--run-dir " + dir + " already exists; a run never "
          + "overwrites another (pick a new directory, or use --resume)");
    } catch (java.nio.file.AccessDeniedException e) {
      removeCreated(created);
      // On a fresh volume owned by root, a container user (10001) cannot write: say which.
      throw new RunDirectoryException("--run-dir " + dir + ": cannot create: permission denied "
          + "in " + (e.getFile() != null ? Path.of(e.getFile()) : dir).toAbsolutePath()
              .getParent() + " (for a volume in a pod: securityContext.fsGroup, see "
          + "docs/deploy.md)");
    } catch (IOException e) {
      removeCreated(created);
      throw new RunDirectoryException("--run-dir " + dir + ": cannot create: " + e.getMessage());
    }
  }

  /**
   * Whether {@code dir} holds nothing of a run but its {@link RunLock#FILE} (and a file system's
   * {@code lost+found}): a start that was stopped (a signal, {@code kill -9}) before it wrote
   * config.json. Such a directory is taken over as an empty one is, by the same command and by
   * {@code --resume-if-exists}, once no live process holds the lock ({@link RunLock#acquire}
   * refuses it then): else a rank-0 pod on a persistent volume crash-loops on it.
   */
  public static boolean holdsOnlyLock(Path dir) {
    if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
      boolean[] lock = {false};
      boolean others = entries.map(p -> p.getFileName().toString()).anyMatch(name -> {
        if (name.equals(RunLock.FILE)) {
          lock[0] = true;
          return false;
        }
        return !name.equals("lost+found");
      });
      return lock[0] && !others;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isEmptyDirectory(Path dir) {
    if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  /** Removes the (still empty) directories a failed {@link #make} made, deepest first. */
  private static void removeCreated(List<Path> created) {
    for (int i = created.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(created.get(i));
      } catch (IOException e) {
        return; // not empty after all: leave it and its parents
      }
    }
  }
}
