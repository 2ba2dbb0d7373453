"""POST of one batch to Vigil's /api/v1/logs, and what the answer means."""
import gzip
import http.client
import json
import urllib.parse

COMMITTED, REJECTED, REFUSED, FAILED = "committed", "rejected", "refused", "failed"


class Transport:
    """One kept-alive HTTP connection with a deadline per request. Not thread-safe."""

    def __init__(self, url, key=None, group=None, stream=None, shipper_id=None, timeout=5.0,
                 compress=True):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https"):
            raise ValueError("Vigil URL must start with http:// or https://: %r" % url)
        self.https = u.scheme == "https"
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or (443 if self.https else 80)
        self.path = (u.path.rstrip("/") or "") + "/api/v1/logs?plain=1"
        self.timeout = timeout
        self.compress = compress
        self.headers = {"Content-Type": "application/x-ndjson"}
        if key:
            self.headers["Authorization"] = "Bearer " + key
        if group:
            self.headers["X-Vigil-Group"] = group
        if stream:
            self.headers["X-Vigil-Stream"] = stream
        if shipper_id:
            self.headers["X-Vigil-Shipper"] = shipper_id
        self._conn = None

    def _connection(self):
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def send(self, body, seq):
        """Sends `body` (str, NDJSON) as batch `seq`. Returns (outcome, detail, answer)."""
        data = body.encode("utf-8", "replace")
        headers = dict(self.headers)
        headers["X-Vigil-Seq"] = str(seq)
        if self.compress:
            data = gzip.compress(data, compresslevel=1)
            headers["Content-Encoding"] = "gzip"
        try:
            conn = self._connection()
            conn.request("POST", self.path, body=data, headers=headers)
            resp = conn.getresponse()
            status, text = resp.status, resp.read().decode("utf-8", "replace")
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            return FAILED, "%s: %s" % (type(e).__name__, e), None
        return classify(status, text)


def classify(status, text):
    detail = "HTTP %d: %s" % (status, text[:300].strip())
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    if status in (200, 400) and isinstance(answer, dict) and "accepted" in answer:
        return (COMMITTED if status == 200 else REJECTED), detail, answer
    # Worth retrying: down, overloaded, not Vigil (yet), or a key an operator can fix.
    if status >= 500 or status in (401, 403, 404, 405, 408, 429):
        return FAILED, detail, answer
    return REFUSED, detail, answer  # the server will never take this batch
