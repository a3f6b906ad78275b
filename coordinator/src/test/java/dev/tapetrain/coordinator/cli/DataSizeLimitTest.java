package dev.tapetrain.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Data whose description (file list and manifest) would not fit the message that assigns a
 * worker its shard are refused before the run starts, with the limit's own words; the
 * description measured is the one the message carries, so it grows with the files.
 */
class DataSizeLimitTest {

  @TempDir
  Path dir;

  @Command(name = "host")
  static final class Host {
    @Mixin
    TrainOptions train;
  }

  private long measured(int files) throws Exception {
    Path data = Files.createDirectories(dir.resolve("d" + files));
    for (int i = 0; i < files; i++) {
      Files.writeString(data.resolve(String.format("part-%05d.csv", i)), "x,y\n" + i + ",1\n");
    }
    Host host = new Host();
    new CommandLine(host).parseArgs("--data", data.toString());
    long[] seen = {-1};
    host.train.limitDataSize(bytes -> {
      seen[0] = bytes;
      return null;
    });
    host.train.toRunSpec(1);
    return seen[0];
  }

  @Test
  void theMessagesDescriptionOfTheDataIsCheckedAndATooLargeOneRefused() throws Exception {
    long one = measured(1);
    long forty = measured(40);
    assertTrue(one > 0, "the description of one file was measured: " + one);
    // Each file adds its path, size, digests and its manifest entry: tens of bytes at least.
    assertTrue(forty - one > 39 * 40, one + " bytes for 1 file, " + forty + " for 40");
    Path data = dir.resolve("d40");
    Host host = new Host();
    new CommandLine(host).parseArgs("--data", data.toString());
    host.train.limitDataSize(bytes -> bytes > one ? "too large: " + bytes + " bytes" : null);
    UsageException e = assertThrows(UsageException.class, () -> host.train.toRunSpec(1));
    assertEquals("--data: too large: " + forty + " bytes", e.getMessage());
  }
}
