package com.example;

import dev.tapetrain.localrunner.api.TrainedRun;
import dev.tapetrain.localrunner.api.Trainer;
import java.nio.file.Path;

/**
 * An application that embeds tapetrain and logs its own way, for {@code EmbeddedLoggingTest}:
 * trains a short run of the tutorial's job in {@code args[0]} through the Java API, before it
 * logs anything itself, and prints the trained parameters.
 */
public final class LoggingApp {

  private LoggingApp() {}

  public static void main(String[] args) throws InterruptedException {
    TrainedRun run = Trainer.builder().steps(5).runDir(Path.of(args[0])).build().fit();
    org.slf4j.LoggerFactory.getLogger(LoggingApp.class).info("trained {} steps", run.steps());
    System.out.println("w = " + run.parameters().get("w")[0]);
  }
}
