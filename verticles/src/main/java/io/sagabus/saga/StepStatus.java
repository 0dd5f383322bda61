package io.sagabus.saga;

/**
 * Where one step of one saga stands. {@code UNKNOWN}: its calls timed out, so it may or may not have happened; the
 * participant is asked before compensating. {@code SKIPPED}: a non-critical step failed and the saga went on.
 * {@code NOT_NEEDED}: the participant confirmed the step never happened, so there is nothing to undo.
 */
public enum StepStatus {
  PENDING, RUNNING, SUCCEEDED, FAILED, UNKNOWN, SKIPPED, COMPENSATING, COMPENSATED, NOT_NEEDED, COMPENSATION_FAILED
}
