package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.protocol.ModelLayout;
import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One model per run, without an actor: the first layout sets it, every later one must match. */
class ModelAgreementTest {

  private static final List<NamedTensor> PARAMS =
      List.of(NamedTensor.scalar("w", 5), NamedTensor.scalar("b", 10));

  private static ModelLayout layout(List<NamedTensor> params, String digest) {
    return new ModelLayout(params, List.of("w"), List.of(), digest);
  }

  private final List<ModelLayout> adopted = new ArrayList<>();

  @Test
  void theFirstLayoutIsAdoptedOnceAndALaterOneMustHaveItsDigest() {
    ModelAgreement models = new ModelAgreement("mlp", null, v -> Optional.empty(), adopted::add);
    ModelLayout first = layout(PARAMS, "aa".repeat(32));
    assertEquals(Optional.empty(), models.disagreement(first));
    assertEquals(Optional.empty(), models.disagreement(layout(PARAMS, "aa".repeat(32))));
    assertEquals(Optional.of("its model differs from the other workers' (layout digest "
        + "bbbbbbbbbbbb…, expected aaaaaaaaaaaa…): another version of model 'mlp' on its class "
        + "path?"), models.disagreement(layout(PARAMS, "bb".repeat(32))));
    assertEquals(List.of(first), adopted);
  }

  @Test
  void aWorkerWithoutAModelOrAModelTooLargeForTheWireIsRefusedAndAdoptsNothing() {
    ModelAgreement models = new ModelAgreement("linear", null,
        values -> values > 1 ? Optional.of(values + " values do not fit") : Optional.empty(),
        adopted::add);
    assertEquals(Optional.of("it reports no model (a worker older than model plug-ins?)"),
        models.disagreement(layout(PARAMS, "")));
    assertEquals(Optional.of("2 values do not fit"),
        models.disagreement(layout(PARAMS, "aa".repeat(32))));
    assertEquals(List.of(), adopted);
  }

  @Test
  void aResumedRunRequiresItsCheckpointsNamesAndShapes() {
    List<NamedTensor> checkpoint = List.of(NamedTensor.vector("w", 1, 2), NamedTensor.scalar("b",
        0));
    ModelAgreement models = new ModelAgreement("linear", checkpoint, v -> Optional.empty(),
        adopted::add);
    assertEquals(Optional.of("its model linear has parameters [w[], b[]], the run has [w[2], b[]]"),
        models.disagreement(layout(PARAMS, "aa".repeat(32))));
    ModelLayout same = layout(List.of(NamedTensor.vector("w", 9, 9), NamedTensor.scalar("b", 9)),
        "cc".repeat(32));
    assertEquals(Optional.empty(), models.disagreement(same), "values may differ: they are "
        + "the model's step-0 values, not the checkpoint's");
    assertEquals(List.of(same), adopted);
  }
}
