package dev.tapetrain.coordinator.run;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.tapetrain.coordinator.run.tensorboard.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A run's TensorBoard log: {@code events.out.tfevents.<seconds>.<host>} in the run directory, so
 * {@code tensorboard --logdir runs/} shows every run as it trains. The file is a sequence of
 * TFRecords (little-endian length, masked CRC-32C of the length, the serialized {@link Event},
 * masked CRC-32C of it); the first event carries {@code file_version "brain.Event:2"}, each
 * further one the scalars of one logged step.
 *
 * <p>A resumed run reopens the same file, keeps the valid records of the steps before the
 * checkpoint it resumes from and cuts the rest (steps that will be trained again, or a record
 * torn by a crash), so TensorBoard never sees a step twice.
 */
public final class EventFile implements AutoCloseable {

  /** File names start with this (TensorBoard's own pattern). */
  public static final String PREFIX = "events.out.tfevents.";

  private static final int MASK_DELTA = 0xa282ead8;

  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
  private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

  private EventFile(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Starts the event file of a new run in {@code dir}. */
  public static EventFile create(Path dir) {
    long now = System.currentTimeMillis();
    Path file = dir.resolve(PREFIX + now / 1000 + "." + host());
    try {
      EventFile events = new EventFile(file, FileChannel.open(file, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE));
      events.append(Event.newBuilder().setWallTime(now / 1000.0).setFileVersion("brain.Event:2")
          .build());
      events.flush();
      return events;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reopens the event file of a run in {@code dir} to continue at step {@code fromStep}: cuts
   * every record from the first one that is torn, corrupt, or of a step at or after
   * {@code fromStep}. Starts a new file if the run has none (written before this existed).
   */
  public static EventFile resume(Path dir, long fromStep) {
    Path file = find(dir);
    if (file == null) {
      return create(dir);
    }
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      long keep = 0;
      for (Record r : read(ch)) {
        if (r.event().hasSummary() && r.event().getStep() >= fromStep) {
          break;
        }
        keep = r.end();
      }
      ch.truncate(keep);
      ch.position(keep);
      return new EventFile(file, ch);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
    }
  }

  /** The run's event file (the newest by name, if there are several), or null. */
  public static Path find(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(PREFIX))
          .max(java.util.Comparator.comparing(p -> p.getFileName().toString()))
          .orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The file's path. */
  public Path path() {
    return file;
  }

  /** Appends the scalars of {@code step}, tag → value, in the map's order. */
  public void scalars(long step, Map<String, Double> values) {
    List<String> tags = new ArrayList<>(values.keySet());
    double[] v = new double[tags.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(tags.get(i));
    }
    scalars(step, tags, v);
  }

  /** Appends the scalars of {@code step}: {@code values[i]} under {@code tags.get(i)}. */
  public void scalars(long step, List<String> tags, double[] values) {
    List<byte[]> utf8 = new ArrayList<>(tags.size());
    for (String tag : tags) {
      utf8.add(tagBytes.computeIfAbsent(tag, t -> t.getBytes(StandardCharsets.UTF_8)));
    }
    append(scalarEvent(step, System.currentTimeMillis() / 1000.0, utf8, values));
  }

  // A run logs the same few tags every step: each is encoded to UTF-8 once.
  private final Map<String, byte[]> tagBytes = new java.util.HashMap<>();

  /**
   * The bytes {@code Event{wall_time, step, summary{value{tag, simple_value}…}}} serializes to,
   * written with protobuf's wire encoder directly instead of building messages (a step's
   * builders were most of its TensorBoard cost); proto3's rule of leaving out zero scalars is
   * kept, so the bytes equal the generated code's (tested).
   */
  static byte[] scalarEvent(long step, double wallTime, List<byte[]> tags, double[] values) {
    int[] valueSizes = new int[values.length];
    int summarySize = 0;
    for (int i = 0; i < values.length; i++) {
      float v = (float) values[i];
      int size = (tags.get(i).length > 0 ? CodedOutputStream.computeByteArraySize(1, tags.get(i))
          : 0) + (Float.floatToRawIntBits(v) != 0 ? CodedOutputStream.computeFloatSize(2, v) : 0);
      valueSizes[i] = size;
      summarySize += CodedOutputStream.computeTagSize(1)
          + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }
    boolean hasTime = Double.doubleToRawLongBits(wallTime) != 0;
    int total = (hasTime ? CodedOutputStream.computeDoubleSize(1, wallTime) : 0)
        + (step != 0 ? CodedOutputStream.computeInt64Size(2, step) : 0)
        + CodedOutputStream.computeTagSize(5) + CodedOutputStream.computeUInt32SizeNoTag(summarySize)
        + summarySize;
    byte[] out = new byte[total];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    try {
      if (hasTime) {
        o.writeDouble(1, wallTime);
      }
      if (step != 0) {
        o.writeInt64(2, step);
      }
      o.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(summarySize);
      for (int i = 0; i < values.length; i++) {
        float v = (float) values[i];
        o.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(valueSizes[i]);
        if (tags.get(i).length > 0) {
          o.writeByteArray(1, tags.get(i));
        }
        if (Float.floatToRawIntBits(v) != 0) {
          o.writeFloat(2, v);
        }
      }
      o.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("an event sized beforehand always fits", e);
    }
    return out;
  }

  private void append(Event event) {
    append(event.toByteArray());
  }

  private void append(byte[] data) {
    header.clear();
    header.putLong(data.length);
    header.putInt(maskedCrc(header.array(), 0, 8));
    footer.clear();
    footer.putInt(maskedCrc(data, 0, data.length));
    pending.write(header.array(), 0, 12);
    pending.write(data, 0, data.length);
    pending.write(footer.array(), 0, 4);
  }

  /**
   * Hands the records appended since the last flush to the OS in one write (the run directory
   * calls this whenever it flushes steps.jsonl), so a reader sees whole records; a crash during
   * the write can tear only the last one, which {@link #resume} cuts.
   */
  public void flush() {
    if (pending.size() == 0) {
      return;
    }
    try {
      ByteBuffer bytes = ByteBuffer.wrap(pending.toByteArray());
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      pending.reset();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@link #flush}, then forces the file to the disk (at checkpoints and at the end). */
  public void force() {
    flush();
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Flushes, forces and closes the file. */
  @Override
  public void close() {
    try {
      force();
    } finally {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /** TFRecord's masked CRC-32C: rotate right by 15 and add a constant. */
  static int maskedCrc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }

  /** One valid record: its event and the file offset just after it. */
  record Record(Event event, long end) {}

  /** The valid records from the start of {@code ch}, up to the first torn or corrupt one. */
  static List<Record> read(FileChannel ch) throws IOException {
    List<Record> out = new java.util.ArrayList<>();
    long pos = 0;
    long size = ch.size();
    ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    while (pos + 12 <= size) {
      head.clear();
      ch.read(head, pos);
      long length = head.getLong(0);
      if (head.getInt(8) != maskedCrc(head.array(), 0, 8) || length < 0
          || pos + 12 + length + 4 > size) {
        break;
      }
      ByteBuffer body = ByteBuffer.allocate((int) length + 4).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(body, pos + 12);
      if (body.getInt((int) length) != maskedCrc(body.array(), 0, (int) length)) {
        break;
      }
      Event event;
      try {
        event = Event.parseFrom(ByteBuffer.wrap(body.array(), 0, (int) length));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        break;
      }
      pos += 12 + length + 4;
      out.add(new Record(event, pos));
    }
    return out;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
