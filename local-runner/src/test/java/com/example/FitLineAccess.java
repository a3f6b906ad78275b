package com.example;

import dev.tapetrain.localrunner.api.TrainedRun;
import java.nio.file.Path;

/** Lets tests in other packages call the README example's package-private method. */
public final class FitLineAccess {

  private FitLineAccess() {}

  /** {@link FitLine#fit}. */
  public static TrainedRun fit(Path runDir) throws InterruptedException {
    return FitLine.fit(runDir);
  }
}
