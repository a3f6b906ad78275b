/**
 * Settings of a tapetrain cluster node (Artery TCP, failure detection, Split Brain Resolver),
 * shared by the coordinator and worker processes. Depends on Akka and Typesafe Config only.
 */
package dev.tapetrain.protocol.node;
