package io.sagabus.orderview;

import io.sagabus.orderview.contract.ViewCursor;

/** A query of the order views: both filters optional; {@code after} null for the first page. */
record ViewQuery(String customerId, String status, int limit, ViewCursor after) {}
