package dev.tapetrain.localrunner;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * An event-file reader written from TensorFlow's specification alone, independent of tapetrain's
 * writer and of its .proto: TFRecord framing (uint64 length, masked CRC-32C of it, data, masked
 * CRC-32C of the data, little-endian) and Event/Summary decoded by field number (Event: 1
 * wall_time, 2 step, 3 file_version, 5 summary; Summary: 1 value; Value: 1 tag, 2 simple_value).
 * Any framing or checksum error fails.
 */
final class TfEvents {

  private TfEvents() {}

  /** One event: the file version (or null) and the scalars (tag → value) of a step. */
  record Event(long step, double wallTime, String fileVersion, Map<String, Float> scalars) {}

  /** The run directory's one event file. */
  static Path file(Path runDir) throws IOException {
    try (Stream<Path> files = Files.list(runDir)) {
      List<Path> found = files.filter(p -> p.getFileName().toString()
          .startsWith("events.out.tfevents.")).toList();
      if (found.size() != 1) {
        throw new AssertionError("expected one event file in " + runDir + ", found " + found);
      }
      return found.get(0);
    }
  }

  static List<Event> read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (b.hasRemaining()) {
      byte[] len = new byte[8];
      b.get(len);
      int lenCrc = b.getInt();
      check(masked(len), lenCrc, "length of record " + events.size());
      long length = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
      byte[] data = new byte[Math.toIntExact(length)];
      b.get(data);
      check(masked(data), b.getInt(), "data of record " + events.size());
      events.add(decode(data));
    }
    return events;
  }

  private static void check(int expected, int actual, String what) {
    if (expected != actual) {
      throw new AssertionError("bad masked CRC-32C of the " + what);
    }
  }

  static int masked(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }

  private static Event decode(byte[] data) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(data);
    long step = 0;
    double wall = 0;
    String version = null;
    Map<String, Float> scalars = new LinkedHashMap<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case (1 << 3) | 1 -> wall = in.readDouble();
        case (2 << 3) -> step = in.readInt64();
        case (3 << 3) | 2 -> version = in.readString();
        case (5 << 3) | 2 -> {
          CodedInputStream summary = CodedInputStream.newInstance(in.readByteArray());
          for (int t = summary.readTag(); t != 0; t = summary.readTag()) {
            if (t != ((1 << 3) | 2)) {
              throw new AssertionError("unexpected Summary field tag " + t);
            }
            CodedInputStream value = CodedInputStream.newInstance(summary.readByteArray());
            String name = null;
            Float v = null;
            for (int u = value.readTag(); u != 0; u = value.readTag()) {
              if (u == ((1 << 3) | 2)) {
                name = value.readString();
              } else if (u == ((2 << 3) | 5)) {
                v = value.readFloat();
              } else {
                throw new AssertionError("unexpected Summary.Value field tag " + u);
              }
            }
            scalars.put(name, v);
          }
        }
        default -> throw new AssertionError("unexpected Event field tag " + tag);
      }
    }
    return new Event(step, wall, version, scalars);
  }
}
