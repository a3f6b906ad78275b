package dev.tapetrain.tape;

/** What {@link GradientTape#gradient} returns for a source the target does not depend on. */
public enum UnconnectedGradients {
  /** {@code null}, as TensorFlow's default {@code UnconnectedGradients.NONE}. */
  NONE,
  /** A tensor of zeros shaped like the source. */
  ZERO
}
