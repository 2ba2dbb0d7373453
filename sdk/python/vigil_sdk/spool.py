"""Bounded on-disk FIFO of log lines, filled while the breaker is open.

Each handler owns a directory <base>/<random id>/ holding segment files
`seg-<20 digits>.ndjson` (whole lines) and a LOCK it keeps flock'd. At start a handler
adopts the spool directories of dead processes (their LOCK is free) so their lines are
shipped too, oldest first. When the spool holds more than max_bytes, whole segments are
dropped oldest first and counted. Thread-safe.
"""
import fcntl
import os
import shutil
import threading
import uuid


class DiskSpool:
    def __init__(self, base_dir, max_bytes=64 << 20, segment_bytes=None):
        self.base_dir = base_dir
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes or max(64 << 10, min(max_bytes // 8, 16 << 20))
        os.makedirs(base_dir, exist_ok=True)
        self.dir = os.path.join(base_dir, uuid.uuid4().hex)
        os.makedirs(self.dir)
        self._lock = open(os.path.join(self.dir, "LOCK"), "w")
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._segments = []  # [number, size], oldest first
        self._next = 1
        self._mu = threading.Lock()
        self._adopt_orphans()

    def _path(self, n):
        return os.path.join(self.dir, "seg-%020d.ndjson" % n)

    def _adopt_orphans(self):
        orphans = []
        for name in os.listdir(self.base_dir):
            d = os.path.join(self.base_dir, name)
            if d == self.dir or not os.path.isdir(d):
                continue
            try:
                lock = open(os.path.join(d, "LOCK"), "a")
            except OSError:
                continue
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.close()  # its process is alive
                continue
            orphans.append((os.path.getmtime(d), d, lock))
        for _, d, lock in sorted(orphans):
            for seg in sorted(f for f in os.listdir(d) if f.startswith("seg-")):
                n = self._next
                self._next += 1
                os.rename(os.path.join(d, seg), self._path(n))
                self._segments.append([n, os.path.getsize(self._path(n))])
            shutil.rmtree(d, ignore_errors=True)
            lock.close()

    def empty(self):
        return self.bytes() == 0

    def bytes(self):
        with self._mu:
            return self._bytes()

    def _bytes(self):
        return sum(size for _, size in self._segments)

    def append(self, text):
        """Appends whole lines (text ending in newline); returns how many lines were dropped
        to stay within max_bytes."""
        if not text:
            return 0
        with self._mu:
            return self._append(text.encode("utf-8", "replace"))

    def _append(self, data):
        if not self._segments or self._segments[-1][1] >= self.segment_bytes:
            self._segments.append([self._next, 0])
            self._next += 1
        seg = self._segments[-1]
        with open(self._path(seg[0]), "ab") as f:
            f.write(data)
        seg[1] += len(data)
        dropped = 0
        while self._bytes() > self.max_bytes and len(self._segments) > 1:
            n, _ = self._segments.pop(0)
            with open(self._path(n), "rb") as f:
                dropped += f.read().count(b"\n")
            os.unlink(self._path(n))
        return dropped

    def oldest(self):
        """(segment number, text) of the oldest segment, or None. A segment being written
        is closed first so that it is shipped whole."""
        with self._mu:
            return self._oldest()

    def _oldest(self):
        if self._bytes() == 0:
            return None
        n = self._segments[0][0]
        if len(self._segments) == 1:
            self._segments.append([self._next, 0])  # later lines go to a new segment
            self._next += 1
        with open(self._path(n), "rb") as f:
            return n, f.read().decode("utf-8", "replace")

    def remove(self, n):
        with self._mu:
            self._segments = [s for s in self._segments if s[0] != n]
        try:
            os.unlink(self._path(n))
        except FileNotFoundError:
            pass

    def close(self):
        """Releases the directory; it is removed when empty, else the next process adopts it."""
        if self.empty():
            shutil.rmtree(self.dir, ignore_errors=True)
        self._lock.close()
