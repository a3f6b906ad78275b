package dev.tapetrain.coordinator.spec;

import dev.tapetrain.protocol.ModelSpec;

/**
 * Every default of a training run, once: the TensorFlow tutorial's numbers and the timeouts.
 * Strings, because picocli's {@code defaultValue} takes constant strings; the records' own
 * defaults ({@link OptimizerSpec#sgd()}, {@link StepPolicy#fullBatch()},
 * {@link RunSpec#DEFAULT_REJOIN_TIMEOUT}) are parsed from these.
 */
public final class Defaults {

  private Defaults() {}

  public static final String MODEL = ModelSpec.LINEAR;
  public static final String HIDDEN = "" + ModelSpec.DEFAULT_HIDDEN;
  public static final String STEPS = "200";
  public static final String LEARNING_RATE = "0.01";
  public static final String INIT_W = "5";
  public static final String INIT_B = "10";
  public static final String OPTIMIZER = "sgd";
  public static final String MOMENTUM = "0.9";
  public static final String BETA1 = "0.9";
  public static final String BETA2 = "0.999";
  public static final String EPSILON = "1e-7";
  public static final String BATCH_FRACTION = "1";
  public static final String TOLERANCE = "0";
  public static final String L2 = "0";
  public static final String EXAMPLES = "1000";
  public static final String TRUE_W = "3";
  public static final String TRUE_B = "2";
  public static final String NOISE = "1.0";
  public static final String SEED = "42";
  public static final String FEATURES = "x";
  public static final String TARGET = "y";
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
