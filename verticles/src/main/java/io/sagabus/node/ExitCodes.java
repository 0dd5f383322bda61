package io.sagabus.node;

/** Exit codes of the fat jar, documented in the README. */
final class ExitCodes {

  static final int OK = 0;
  /** The node or command failed for a reason other than those below. */
  static final int FAILED = 1;
  /** Bad config, bad arguments or bad JSON: fix the input. */
  static final int BAD_INPUT = 2;
  /** No handler is registered for the address anywhere in the cluster. */
  static final int NO_HANDLER = 3;
  /** No reply arrived within the timeout. */
  static final int TIMEOUT = 4;
  /** The handler replied with a failure. */
  static final int REPLIED_FAILURE = 5;
  /** The client could not join the cluster. */
  static final int NO_CLUSTER = 6;

  private ExitCodes() {}
}
