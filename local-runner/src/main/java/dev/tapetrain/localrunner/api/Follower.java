package dev.tapetrain.localrunner.api;

import dev.tapetrain.coordinator.TrainingEvent;
import dev.tapetrain.coordinator.TrainingListener;
import dev.tapetrain.protocol.NamedTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the run's events into {@link TrainingStep}s and {@link TrainingEpoch}s. */
final class Follower implements TrainingListener {

  // Trainer's logger: a listener's throw is the trainer's news to its user.
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final StepListener listener;
  private final EpochListener epochListener;
  private List<String> metricNames = List.of();
  private boolean warned;
  private boolean epochWarned;

  Follower(StepListener listener, EpochListener epochListener) {
    this.listener = listener;
    this.epochListener = epochListener;
  }

  private Map<String, Double> named(List<Double> values) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < values.size() && i < metricNames.size(); i++) {
      out.put(metricNames.get(i), values.get(i));
    }
    return out;
  }

  private void epochEnded(TrainingEvent.EpochEnded e) {
    if (epochListener == null) {
      return;
    }
    try {
      epochListener.onEpoch(new TrainingEpoch(e.epoch(), e.epochs(), e.steps(), e.loss(),
          named(e.metrics()), e.valLoss(), named(e.valMetrics())));
    } catch (RuntimeException thrown) {
      if (!epochWarned) {
        epochWarned = true;
        LOG.warn("the epoch listener threw at epoch {} (training goes on; later throws are "
            + "not logged): {}", e.epoch(), thrown.toString());
      }
    }
  }

  @Override
  public void on(TrainingEvent event) {
    if (event instanceof TrainingEvent.ModelAdopted m) {
      metricNames = m.metrics();
    } else if (event instanceof TrainingEvent.EpochEnded e) {
      epochEnded(e);
    } else if (event instanceof TrainingEvent.Step s) {
      if (listener != null) {
        Map<String, Double> metrics = named(s.record().metrics());
        Map<String, double[]> params = new LinkedHashMap<>();
        for (NamedTensor p : s.record().params()) {
          params.put(p.name(), p.values().clone());
        }
        try {
          listener.onStep(new TrainingStep(s.record().step(), s.record().loss(), params,
              metrics));
        } catch (RuntimeException e) {
          if (!warned) {
            warned = true;
            LOG.warn("the step listener threw at step {} (training goes on; later throws are "
                + "not logged): {}", s.record().step(), e.toString());
          }
        }
      }
    }
  }
}
