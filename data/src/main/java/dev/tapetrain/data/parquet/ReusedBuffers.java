package dev.tapetrain.data.parquet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * Heap buffers for parquet-java's column chunks that are used again once the reader released
 * them: {@link ParquetColumns} reads one column chunk at a time, so a whole file's chunks pass
 * through the arrays of its largest one instead of as many new arrays as the file has bytes
 * (a fresh JVM pays for every array it touches for the first time; see
 * {@link ChannelInputFile}). A buffer released that this allocator did not hand out, or twice,
 * is ignored, so an array is never handed out twice at once. Not thread-safe: one per reader.
 */
final class ReusedBuffers implements ByteBufferAllocator {

  private final List<byte[]> free = new ArrayList<>();
  private final Map<byte[], Boolean> lent = new IdentityHashMap<>();
  private long created;

  @Override
  public ByteBuffer allocate(int size) {
    byte[] best = null;
    for (byte[] a : free) {
      if (a.length >= size && (best == null || a.length < best.length)) {
        best = a;
      }
    }
    if (best != null) {
      free.remove(best);
    } else {
      best = new byte[size];
      created += size;
    }
    lent.put(best, Boolean.TRUE);
    return ByteBuffer.wrap(best, 0, size).slice();
  }

  @Override
  public void release(ByteBuffer b) {
    if (b.hasArray() && lent.remove(b.array()) != null) {
      free.add(b.array());
    }
  }

  @Override
  public boolean isDirect() {
    return false;
  }

  /** Bytes of arrays made so far (not handed out again): for tests. */
  long created() {
    return created;
  }
}
