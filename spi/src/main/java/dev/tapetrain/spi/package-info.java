/**
 * What every tapetrain plug-in (a model, an optimizer, an input format) and every command share:
 * {@link dev.tapetrain.spi.UserError}, the one-line error of bad input (exit code 2).
 *
 * <p>Plain Java: depends on nothing, so the smallest jar a user's plug-in compiles against has
 * no Akka, no protobuf and no tape.
 */
package dev.tapetrain.spi;
