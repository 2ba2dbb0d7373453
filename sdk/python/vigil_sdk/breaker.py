"""The runbook's circuit breaker, with its numbers configurable.

closed --(N consecutive failures)--> open --(cooldown)--> half-open --probe ok--> closed
                                      ^                       |
                                      +---- probe failed -----+
"""
import time

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


class CircuitBreaker:
    """Not thread-safe: the handler's sender thread owns it."""

    def __init__(self, failures=3, cooldown=60.0, clock=time.monotonic):
        self.failures_to_open = max(1, int(failures))
        self.cooldown = max(0.0, float(cooldown))
        self.clock = clock
        self.state = CLOSED
        self.consecutive_failures = 0
        self.reopen_at = 0.0
        self._probe_in_flight = False

    def allow(self):
        """Whether a request may be sent now; in the open state the first call after the
        cooldown moves to half-open and returns True: that request is the probe."""
        if self.state == CLOSED:
            return True
        if self.state == OPEN:
            if self.clock() < self.reopen_at:
                return False
            self.state = HALF_OPEN
            self._probe_in_flight = True
            return True
        if self._probe_in_flight:
            return False
        self._probe_in_flight = True
        return True

    def record_success(self):
        self.state = CLOSED
        self.consecutive_failures = 0
        self._probe_in_flight = False

    def record_failure(self):
        """Returns True when this failure opened the breaker."""
        self.consecutive_failures += 1
        self._probe_in_flight = False
        if self.state == HALF_OPEN or (self.state == CLOSED and
                                        self.consecutive_failures >= self.failures_to_open):
            self.state = OPEN
            self.reopen_at = self.clock() + self.cooldown
            return True
        return False
