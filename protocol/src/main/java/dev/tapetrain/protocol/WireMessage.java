package dev.tapetrain.protocol;

/**
 * Marker for every message that may cross a JVM boundary. It is bound to
 * {@link ProtocolSerializer} in this module's {@code reference.conf}; a message without it that
 * has to be sent remotely fails loudly instead of falling back to Java serialization.
 */
public interface WireMessage {}
