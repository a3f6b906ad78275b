package dev.tapetrain.worker;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether {@link LoopFiles} may read and write a loops folder: its files are code a worker
 * runs (a loaded loop's static initializer runs before its bit check), so, as ccache and pip do,
 * only a folder this user owns that neither its group nor others may write. Split from
 * {@link LoopFiles}, which keeps the files.
 */
final class LoopFolderTrust {

  private static final Logger LOG = LoggerFactory.getLogger(LoopFiles.class);
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");

  private LoopFolderTrust() {}

  /**
   * Null if {@code dir} is this user's (or {@code me}'s, if not null) alone or the file system is not POSIX, else why it is
   * not to be trusted. Creates the directory, {@code rwx------}, if it is missing.
   */
  static String distrust(Path dir, UserPrincipal me) {
    if (!posix(dir)) {
      return null;
    }
    UserPrincipal creator = null;
    try {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
      creator = Files.getOwner(dir); // made by this JVM: its owner is who this JVM runs as
    } catch (FileAlreadyExistsException e) {
      // Made earlier, or by another JVM meanwhile: checked below like any other.
    } catch (IOException | RuntimeException e) {
      return "cannot create it (" + e + ")";
    }
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(dir, PosixFileAttributes.class);
    } catch (IOException | RuntimeException e) {
      return "cannot read its owner and permissions (" + e + ")";
    }
    if (!a.isDirectory()) {
      return "not a directory";
    }
    UserPrincipal user = me != null ? me : creator != null ? creator : currentUser();
    if (user == null) {
      return "cannot tell which user this process runs as";
    }
    Set<PosixFilePermission> mode = a.permissions();
    if (a.owner().equals(user) && (mode.contains(PosixFilePermission.GROUP_WRITE)
        || mode.contains(PosixFilePermission.OTHERS_WRITE))) {
      // This user's own folder, made group-writable by a umask of 002 (builds before
      // 2026-12-07 made it without a mode of their own): taken back to this user alone, as a
      // refusal would leave the cache off for good. Its files were always rw------- .
      Set<PosixFilePermission> tightened = java.util.EnumSet.copyOf(mode);
      tightened.remove(PosixFilePermission.GROUP_WRITE);
      tightened.remove(PosixFilePermission.OTHERS_WRITE);
      try {
        Files.setPosixFilePermissions(dir, tightened);
        LOG.info("loop cache {}: write permission of its group and others removed (was d{})",
            dir, PosixFilePermissions.toString(mode));
        mode = tightened;
      } catch (IOException | RuntimeException e) {
        // Left as it is: refused below, with its mode.
      }
    }
    return decide(a.owner(), user, mode);
  }

  /**
   * The decision on a directory's attributes: null if {@code user} owns it and neither its group
   * nor others may write to it, else why not (with its mode, as {@code ls -ld} shows it).
   */
  static String decide(UserPrincipal owner, UserPrincipal user,
      Set<PosixFilePermission> permissions) {
    String mode = "d" + PosixFilePermissions.toString(permissions);
    if (!owner.equals(user)) {
      return "owned by " + owner.getName() + ", not by " + user.getName() + " (" + mode + ")";
    }
    if (permissions.contains(PosixFilePermission.GROUP_WRITE)) {
      return "writable by its group (" + mode + ")";
    }
    if (permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
      return "writable by others (" + mode + ")";
    }
    return null;
  }

  /** Whether {@code dir}'s file system has POSIX owners and permissions. */
  static boolean posix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * The user this JVM runs as: the owner of a file it creates (in the system's temporary
   * directory, not in the directory being judged), else the one named {@code user.name}, else
   * null.
   */
  private static UserPrincipal currentUser() {
    try {
      Path probe = Files.createTempFile("tapetrain-owner", ".tmp");
      try {
        return Files.getOwner(probe);
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException | RuntimeException e) {
      try {
        return FileSystems.getDefault().getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
      } catch (IOException | RuntimeException e2) {
        return null;
      }
    }
  }
}
