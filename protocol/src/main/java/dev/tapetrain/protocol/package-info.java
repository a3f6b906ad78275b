/**
 * What crosses the wire between the coordinator and its workers: the messages, and the
 * specifications they carry (the dataset, the model), the chunk tree of the reduction and the
 * frame limits. A run's own settings ({@code RunSpec}) live in the coordinator; start-up
 * concerns (command line, cluster and TLS settings) in the {@code node} module, reading data in
 * {@code data}.
 *
 * <p>Message types are Java records grouped by the actor that receives them:
 * {@link dev.tapetrain.protocol.WorkerProtocol} and {@link dev.tapetrain.protocol.CoordinatorProtocol}.
 * On the wire each one is a protobuf message (package {@code dev.tapetrain.protocol.proto}),
 * mapped by {@link dev.tapetrain.protocol.ProtocolSerializer}; Java serialization is never used.
 *
 * <p>Depends on akka-actor-typed (for {@code ActorRef}) and protobuf-java only. Must not depend on
 * the worker, the coordinator or any numeric code.
 */
package dev.tapetrain.protocol;
