package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.CsvFormat;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.ScanHandoff;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Settings;
import dev.tapetrain.spi.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan's values kept for local-runner's workers ({@link ScanHandoff}) must never make a
 * share that fits without them not fit: on heaps of 80–88 MiB a 21 MB CSV that the build before
 * the handoff trained on failed both workers' checks ("cannot load shard … 0 MiB left"). A
 * worker short of room now drops the kept copy (and reads the files) before it decides.
 */
class MemoryCheckTest {

  @TempDir
  Path dir;

  @AfterEach
  void off() {
    ScanHandoff.enable(0);
    ScanHandoff.release();
  }

  private DatasetSpec scannedAndKept() throws Exception {
    Path csv = dir.resolve("d.csv");
    StringBuilder text = new StringBuilder("a,b,c,y\n");
    for (int i = 0; i < 500; i++) {
      text.append(i).append(',').append(-i).append(',').append(i % 7).append(',')
          .append(0.5 * i).append('\n');
    }
    Files.writeString(csv, text);
    ScanHandoff.enable(1L << 30);
    CsvFormat format = new CsvFormat();
    InputFormat.Scanned scanned = format.scan(new InputFormat.Request(csv,
        Settings.of(format.settings(), Map.of("features", "a,b,c", "target", "y"),
            n -> "--" + n), 0, 0, y -> null, List.of(csv)));
    assertEquals(8L * 4 * 500, ScanHandoff.heldBytes(), "the scan kept its values");
    return new DatasetSpec(scanned.source(), 100);
  }

  @Test
  void aShareThatFitsLeavesTheScansCopyForTheWorkers() throws Exception {
    DatasetSpec d = scannedAndKept();
    MemoryCheck.require("a share", d, 250, "no hint");
    assertTrue(MemoryCheck.fits(d, 250));
    assertEquals(8L * 4 * 500, ScanHandoff.heldBytes());
  }

  @Test
  void aShareShortOfRoomDropsTheScansCopyBeforeItDecides() throws Exception {
    DatasetSpec d = scannedAndKept();
    long tooMany = Runtime.getRuntime().maxMemory() / 8;
    assertThrows(UserError.class, () -> MemoryCheck.require("a share", d, tooMany, "no hint"));
    assertEquals(0, ScanHandoff.heldBytes(), "the copy was dropped to make room");
    scannedAndKept();
    assertTrue(!MemoryCheck.fits(d, tooMany));
    assertEquals(0, ScanHandoff.heldBytes(), "fits() drops it too");
  }
}
