package com.example;

import dev.tapetrain.localrunner.api.TrainedRun;
import dev.tapetrain.localrunner.api.Trainer;
import java.nio.file.Path;

/** Trains the tutorial's model from Java code, then uses it. */
public final class FitLine {

  public static void main(String[] args) throws InterruptedException {
    TrainedRun run = fit(Path.of("runs", "fit-line"));
    System.out.println("W = " + run.parameters().get("w")[0] + ", B = "
        + run.parameters().get("b")[0] + "; at x = 4: " + run.predict(new double[][] {{4}})[0][0]);
  }

  static TrainedRun fit(Path runDir) throws InterruptedException {
    // --resume-if-exists: run it again and it returns the finished run (or continues a stopped
    // one, or one given more steps) instead of refusing the existing directory.
    return Trainer.builder().steps(200).learningRate(0.01).runDir(runDir)
        .flag("--resume-if-exists")
        .onStep(s -> System.out.print(s.step() % 50 == 0 ? s.step() + ": " + s.loss() + "\n" : ""))
        .build().fit();
  }
}
