"""VigilHandler: a logging.Handler that ships JSON lines to Vigil from a background thread,
behind the runbook's circuit breaker, without losing them.

- emit() only formats the record and queues the line (it never blocks on the network).
- The sender thread batches lines (batch_bytes or flush_interval) and POSTs them with the
  handler's shipper id and a batch seq; a retry resends the same seq, so a lost answer
  never duplicates lines (the server drops a batch it already committed).
- After `breaker_failures` consecutive failures the breaker opens for `breaker_cooldown`
  seconds: lines go to the console (`fallback`, default stderr) AND to an on-disk spool;
  then one probe batch; once it succeeds the spool is shipped in order before new lines.
- The spool is bounded (spool_max_bytes): when full, oldest lines are dropped, counted
  and reported loudly on stderr. The queue is bounded too (queue_size): when the sender
  cannot keep up, lines go to the console and the spool directly.
"""
import logging
import os
import queue
import socket
import sys
import tempfile
import threading
import time
import uuid

from .breaker import CLOSED, OPEN, CircuitBreaker
from .formatter import JsonFormatter
from .spool import DiskSpool
from .transport import COMMITTED, FAILED, REFUSED, REJECTED, Transport


class VigilHandler(logging.Handler):
    def __init__(self, url="http://127.0.0.1:7700", key=None, group="app", stream=None, *,
                 batch_bytes=1 << 20, flush_interval=1.0, timeout=5.0, breaker_failures=3,
                 breaker_cooldown=60.0, retry_delay=1.0, spool_dir=None,
                 spool_max_bytes=64 << 20, fallback=None, queue_size=100000, compress=True,
                 level=logging.NOTSET):
        super().__init__(level)
        self.setFormatter(JsonFormatter())
        self.url, self.key, self.group = url, key, group
        self.stream = stream or socket.gethostname()
        self.batch_bytes, self.flush_interval = batch_bytes, flush_interval
        self.timeout, self.retry_delay, self.compress = timeout, retry_delay, compress
        self.breaker_failures, self.breaker_cooldown = breaker_failures, breaker_cooldown
        self.spool_dir = spool_dir or os.path.join(tempfile.gettempdir(), "vigil-sdk-spool",
                                                   group)
        self.spool_max_bytes = spool_max_bytes
        self.fallback = fallback
        self.queue_size = queue_size
        self._start()

    # ------------------------------------------------------------------ lifecycle

    def _start(self):
        self._pid = os.getpid()
        self.shipper_id = "py-" + uuid.uuid4().hex
        self._queue = queue.Queue(self.queue_size)
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._busy = 0  # lines taken from the queue and not yet committed or spooled
        self.breaker = CircuitBreaker(self.breaker_failures, self.breaker_cooldown)
        self.stats = {"lines_shipped": 0, "batches_shipped": 0, "lines_spooled": 0,
                      "lines_dropped": 0, "lines_rejected": 0, "send_failures": 0,
                      "duplicate_batches": 0}
        self.last_error = ""
        self._spool = DiskSpool(self.spool_dir, self.spool_max_bytes)
        self._transport = Transport(self.url, self.key, self.group, self.stream,
                                    self.shipper_id, self.timeout, self.compress)
        self._seq = 0
        self._pending = None  # [seq, text, lines, spool segment or None, printed]
        self._retry_at = 0.0
        self._thread = threading.Thread(target=self._run, name="vigil-handler", daemon=True)
        self._thread.start()

    def _ensure_started(self):
        if os.getpid() != self._pid:  # forked (e.g. gunicorn --preload): new thread, id, spool
            self._start()

    def close(self, timeout=10.0):
        """Ships what it can within `timeout` seconds (spooling the rest), then stops."""
        if getattr(self, "_thread", None) is not None and os.getpid() == self._pid:
            self._stop.set()
            self._thread.join(timeout)
            self._transport.close()
            self._spool.close()
        super().close()

    def flush(self, timeout=10.0):
        """Waits until every line emitted so far is committed or spooled (or timeout)."""
        if os.getpid() != self._pid:
            return
        deadline = time.monotonic() + timeout
        with self._idle:
            while not self._stop.is_set() and (self._queue.qsize() or self._busy):
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._idle.wait(min(left, 0.05))

    def status(self):
        s = dict(self.stats)
        s.update(breaker=self.breaker.state, spool_bytes=self._spool.bytes(),
                 queued=self._queue.qsize(), shipper_id=self.shipper_id,
                 last_error=self.last_error)
        return s

    # ------------------------------------------------------------------ emit

    def emit(self, record):
        try:
            self._ensure_started()
            line = self.format(record).replace("\n", "\\n") + "\n"
        except Exception:
            self.handleError(record)
            return
        try:
            self._queue.put_nowait(line)
        except queue.Full:
            # The sender cannot keep up: never block the app; console + spool instead.
            with self._idle:
                self._busy += 1
            self._console(line)
            self._to_spool(line, 1)
            with self._idle:
                self._busy -= 1

    # ------------------------------------------------------------------ sender thread

    def _note(self, msg):
        sys.stderr.write("vigil-sdk: %s\n" % msg)
        sys.stderr.flush()

    def _console(self, text):
        out = self.fallback or sys.stderr
        try:
            out.write(text)
            out.flush()
        except (OSError, ValueError):
            pass

    def _to_spool(self, text, lines):
        try:
            dropped = self._spool.append(text)
        except OSError as e:
            self._note("SPOOL WRITE FAILED (%s): %d lines only on the console" % (e, lines))
            self.stats["lines_dropped"] += lines
            return
        self.stats["lines_spooled"] += lines
        if dropped:
            self.stats["lines_dropped"] += dropped
            self._note("SPOOL FULL (limit %d bytes): DROPPED %d oldest spooled lines (%d in "
                       "total); they were shown on the console" %
                       (self.spool_max_bytes, dropped, self.stats["lines_dropped"]))

    def _take(self, wait, max_bytes):
        """Lines from the queue: waits up to `wait` s for the first, then takes what is there."""
        lines, size = [], 0
        try:
            first = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
        except queue.Empty:
            return lines
        lines.append(first)
        size += len(first)
        while size < max_bytes:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            lines.append(line)
            size += len(line)
        with self._idle:
            self._busy += len(lines)
        return lines

    def _done(self, n):
        with self._idle:
            self._busy -= n
            self._idle.notify_all()

    def _send_pending(self):
        seq, text, lines, segment, printed = self._pending
        probe = self.breaker.state != CLOSED
        outcome, detail, answer = self._transport.send(text, seq)
        if outcome == FAILED:
            self.stats["send_failures"] += 1
            self.last_error = detail
            was_closed = self.breaker.state == CLOSED
            opened = self.breaker.record_failure()
            self._retry_at = time.monotonic() + self.retry_delay
            if opened and was_closed:
                self._note("CIRCUIT BREAKER OPEN after %d consecutive failures (last: %s); for "
                           "%gs logs go to the console and the spool" %
                           (self.breaker.consecutive_failures, detail, self.breaker_cooldown))
            elif opened:
                self._note("probe failed (%s); breaker open for another %gs" %
                           (detail, self.breaker_cooldown))
            if opened and segment is None:
                # The failed batch is the oldest unshipped lines: console now, and into the
                # (then empty) spool so a crash during the outage does not lose it; it stays
                # the probe, with its seq, so a late commit of an earlier try is not doubled.
                if not printed:
                    self._console(text)
                    self._pending[4] = True
                self._to_spool(text, lines)
                seg = self._spool.oldest()
                if seg is not None and seg[1] == text:
                    self._pending[3] = seg[0]
                    self._done(lines)
            return
        self.breaker.record_success()
        if probe:
            self._note("circuit breaker closed: Vigil is back; shipping the spool first")
        if outcome == REFUSED:
            self._note("VIGIL REFUSED a batch of %d lines for good: %s" % (lines, detail))
            self.stats["lines_rejected"] += lines
        else:
            answer = answer or {}
            if answer.get("duplicate"):
                self.stats["duplicate_batches"] += 1
                self.stats["lines_shipped"] += lines
            else:
                self.stats["lines_shipped"] += int(answer.get("accepted", 0))
            self.stats["lines_rejected"] += int(answer.get("rejected_count", 0))
            for r in (answer.get("rejected") or [])[:10]:
                self._note("Vigil rejected a line: %s" % r.get("reason"))
        self.stats["batches_shipped"] += 1
        if segment is not None:
            self._spool.remove(segment)
        else:
            self._done(lines)
        self._pending = None

    def _make_pending(self, text, lines, segment=None):
        self._seq += 1
        self._pending = [self._seq, text, lines, segment, False]

    def _run(self):
        batch, batch_lines, size, started = [], 0, 0, 0.0
        while True:
            stopping = self._stop.is_set()
            now = time.monotonic()
            if self._pending and now >= self._retry_at and self.breaker.allow():
                self._send_pending()
                continue
            closed = self.breaker.state == CLOSED
            if closed and not self._pending and not batch and not self._spool.empty():
                seg = self._spool.oldest()
                if seg is not None:
                    self._make_pending(seg[1], seg[1].count("\n"), seg[0])
                    continue
            if stopping:
                break
            if not closed:
                lines = self._take(0.05, 1 << 20)
                if lines:
                    text = "".join(lines)
                    self._console(text)
                    self._to_spool(text, len(lines))
                    self._done(len(lines))
                continue
            if self._pending:  # waiting to retry while closed
                time.sleep(min(0.05, max(0.0, self._retry_at - now)))
                continue
            wait = self.flush_interval - (now - started) if batch else 0.05
            lines = self._take(max(0.0, min(wait, 0.05)), self.batch_bytes - size)
            if lines and not batch:
                started = time.monotonic()
            batch.extend(lines)
            batch_lines += len(lines)
            size += sum(len(x) for x in lines)
            if batch and (size >= self.batch_bytes or
                          time.monotonic() - started >= self.flush_interval or
                          self._stop.is_set()):
                self._make_pending("".join(batch), batch_lines)
                batch, batch_lines, size = [], 0, 0
        self._shutdown(batch, batch_lines)

    def _shutdown(self, batch, batch_lines):
        """Stop requested: one last try if the breaker is closed, then spool the rest."""
        rest = self._take(0, 1 << 62)
        text = "".join(batch) + "".join(rest)
        n = batch_lines + len(rest)
        if text and self.breaker.state == CLOSED and not self._pending:
            self._make_pending(text, n)
            text, n = "", 0
        if self._pending and self.breaker.state == CLOSED:
            self._send_pending()
        if self._pending and self._pending[3] is None:
            text = self._pending[1] + text
            n += self._pending[2]
            if not self._pending[4]:
                self._console(self._pending[1])
        if text:
            self._to_spool(text, n)
            self._note("stopped with %d unshipped lines in the spool %s; the next process "
                       "using it ships them" % (n, self._spool.dir))
        with self._idle:
            self._busy = 0
            self._idle.notify_all()
