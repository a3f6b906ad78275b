package dev.tapetrain.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import java.io.Serializable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.util.Try;

/** Java serialization is off: a Serializable message that is not a WireMessage is refused. */
class JavaSerializationTest {

  static final ActorTestKit testKit = ActorTestKit.create("java-serialization-test");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  record Sneaky(String payload) implements Serializable {}

  @Test
  void aSerializableMessageIsRefused() {
    Serialization serialization =
        SerializationExtension.get(Adapter.toClassic(testKit.system()));
    Try<byte[]> bytes = serialization.serialize(new Sneaky("gradients from a stranger"));
    assertTrue(bytes.isFailure(), "Java serialization must be refused");
    String message = bytes.failed().get().getMessage();
    assertTrue(message.contains("Java serialization"), message);
  }
}
