package dev.tapetrain.coordinator.spec;

import dev.tapetrain.protocol.ModelSpec;

/**
 * The defaults of a training run's own options, once: the TensorFlow tutorial's numbers and the
 * timeouts. Strings, because picocli's {@code defaultValue} takes constant strings; {@link
 * RunSpec#DEFAULT_REJOIN_TIMEOUT} is parsed from these. The defaults of a plug-in's settings
 * (the model's initial W and B, the optimizer's momentum, the synthetic data's true line) are
 * in the plug-in's own declarations.
 */
public final class Defaults {

  private Defaults() {}

  public static final String MODEL = ModelSpec.LINEAR;
  public static final String STEPS = "200";
  public static final String LEARNING_RATE = "0.01";
  public static final String OPTIMIZER = "sgd";
  public static final String BATCH_FRACTION = "1";
  public static final String TOLERANCE = "0";
  public static final String L2 = "0";
  public static final String SEED = "42";
  public static final String LOG_EVERY = "1";
  public static final String CHECKPOINT_EVERY = "100";
  public static final String STEP_TIMEOUT_SECONDS = "30";
  public static final String WAIT_TIMEOUT_SECONDS = "120";
  public static final String REJOIN_TIMEOUT_SECONDS = "60";

  /** A default as a double. */
  public static double number(String value) {
    return Double.parseDouble(value);
  }
}
