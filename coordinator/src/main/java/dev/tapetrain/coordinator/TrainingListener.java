package dev.tapetrain.coordinator;

import java.util.List;

/**
 * Follows a run: receives each {@link TrainingEvent} in order, on one thread (the
 * coordinator's, or a {@link BackgroundListener}'s). Implementations: the console, the progress
 * bar, a command's own messages. A listener keeps nothing a run depends on; what must be kept
 * goes to the {@link RunStore}, whose writes can fail.
 */
@FunctionalInterface
public interface TrainingListener {

  /** Takes one event; events it does not follow it ignores. */
  void on(TrainingEvent event);

  /** A listener that hands every event to each of {@code listeners}, in order. */
  static TrainingListener all(List<TrainingListener> listeners) {
    List<TrainingListener> copy = List.copyOf(listeners);
    return event -> {
      for (TrainingListener l : copy) {
        l.on(event);
      }
    };
  }
}
