package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Settings;
import dev.tapetrain.spi.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in input formats as plug-ins: which format a command line picks, what a scan
 * describes, and that a worker's load reads back exactly what the scan validated.
 */
class InputFormatsTest {

  @TempDir
  Path dir;

  @Test
  void theFormatIsNamedOrFollowsTheDataCsvForAnyFileNoFormatClaims() {
    var formats = InputFormats.plugins(Set.of());
    assertEquals("synthetic", InputFormats.choose(formats, null, null).name());
    assertEquals("csv", InputFormats.choose(formats, null, Path.of("a/b.CSV")).name());
    assertEquals("csv", InputFormats.choose(formats, null, Path.of("/dev/null")).name());
    assertEquals("synthetic", InputFormats.choose(formats, "synthetic", Path.of("x.csv"))
        .name());
    assertTrue(assertThrows(UserError.class, () -> InputFormats.choose(formats, "xml", null))
        .getMessage().startsWith("--format: unknown input format 'xml' (available: synthetic, "
            + "csv"));
  }

  @Test
  void syntheticSettingsAreCheckedWhereTheyAreDeclared() {
    SyntheticFormat f = new SyntheticFormat();
    UserError e = assertThrows(UserError.class,
        () -> Settings.of(f.settings(), Map.of("noise", "-1"), n -> "--" + n));
    assertTrue(e.getMessage().startsWith("--noise"), e.getMessage());
    InputFormat.Scanned s = f.scan(new InputFormat.Request(null, Settings.defaults(
        f.settings()), 42, null, y -> null));
    assertEquals(DatasetSpec.Source.synthetic(1000, List.of(3.0), 2, 1, 42, 3), s.source(),
        "a classifier's synthetic labels without a class count have three classes");
    assertEquals(2.0, s.maxTarget());
  }

  @Test
  void aCsvScanDescribesTheFileAndALoadReadsTheRowsOfItsChunks() throws Exception {
    Path file = dir.resolve("d.csv");
    Files.writeString(file, "a,y,b\n1,10,-1\n2,20,-2\n3,30,-3\n4,40,-4\n5,50,-5\n");
    CsvFormat f = new CsvFormat();
    InputFormat.Scanned s = f.scan(new InputFormat.Request(file, Settings.of(f.settings(),
        Map.of("features", "b,a"), n -> "--" + n), 0, 0, y -> null));
    assertEquals(List.of("b", "a"), s.source().columns());
    assertEquals(5, s.source().rows());
    assertEquals(50.0, s.maxTarget());
    DatasetSpec dataset = new DatasetSpec(s.source(), 2);
    ShardLoader.Loaded loaded = ShardLoader.load(dataset, List.of(1, 2));
    Segment seg = loaded.segments().get(0);
    assertEquals(s.source().digest(), loaded.digest());
    assertEquals(List.of(-3.0, -4.0, -5.0), List.of(seg.x()[0][0], seg.x()[0][1], seg.x()[0][2]));
    assertEquals(List.of(3.0, 4.0, 5.0), List.of(seg.x()[1][0], seg.x()[1][1], seg.x()[1][2]));
    assertEquals(List.of(30.0, 40.0, 50.0), List.of(seg.y()[0], seg.y()[1], seg.y()[2]));
    Files.writeString(file, "a,y,b\n1,10,-1\n2,20,-2\n3,30,-3\n4,40,-4\n5,51,-5\n");
    DataException changed = assertThrows(DataException.class,
        () -> ShardLoader.load(dataset, List.of(0)));
    assertTrue(changed.getMessage().contains("differs from the coordinator's"),
        changed.getMessage());
  }
}
