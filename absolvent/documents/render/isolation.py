"""Run each render in a separate, killable process: a small warm pool of render workers.

A thread cannot be killed in Python: a runaway template (nested loops) or a
pathological layout would keep burning CPU after the caller gave up. So renders
run in worker processes forked from a ``forkserver`` (a small, clean,
single-threaded server process that has already imported and warmed up
WeasyPrint and docxtpl, see ``_preload``); the forkserver is safe to use from
the threads of a WSGI server (unlike plain ``fork``), and much faster than
``spawn``.

Starting a process per document cost more than the render of a small document
(fork, copy-on-write faults, cold caches), so a worker serves one render at a
time but many renders in a row:

- a render takes an idle worker (with the same memory limit) or starts one; no
  caller ever waits for another's render;
- a worker that exceeds the time limit is killed (``RenderTimeout``); one that
  dies (crash, out of memory) is reaped (``DocumentError``); either way the
  next render gets a fresh worker;
- a worker retires after ``MAX_JOBS`` renders or after a ``MemoryError``; at
  most ``IDLE_WORKERS`` (env ``ABSOLVENT_RENDER_WORKERS``, default 2) wait idle.

Each worker has an address-space limit (``Limits.max_memory_bytes``, set once
when it starts) so a template that produces gigabytes of text fails fast
instead of exhausting RAM.

Like every ``multiprocessing`` user, a script that renders documents at import
level needs the ``if __name__ == "__main__":`` guard (the worker re-imports the
main script by path); the Flask app, its CLI and pytest are unaffected.
"""

import multiprocessing
import os
import resource
import threading

from .errors import DocumentError, RenderTimeout

_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload(["absolvent.documents.render._preload"])

IDLE_WORKERS = int(os.environ.get("ABSOLVENT_RENDER_WORKERS", "2") or 2)
MAX_JOBS = 200  # renders per worker before it is replaced (bounds leaks and fragmentation)


class _Worker:
    """One render process and the parent's end of its pipe."""

    def __init__(self, max_memory_bytes):
        self.max_memory_bytes = max_memory_bytes
        self.jobs = 0
        self.conn, child_end = _CTX.Pipe(duplex=True)
        self.process = _CTX.Process(target=_serve, args=(child_end, max_memory_bytes), daemon=True,
                                    name="absolvent-render")
        self.process.start()
        child_end.close()

    def alive(self):
        return self.process.is_alive()

    def stop(self):
        """Kill the process (a render in it is abandoned) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class RenderPool:
    """Idle render workers for reuse; thread-safe."""

    def __init__(self, idle_workers=IDLE_WORKERS, max_jobs=MAX_JOBS):
        self.idle_workers = idle_workers
        self.max_jobs = max_jobs
        self._idle = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def run(self, func, args: tuple, timeout_s: float, max_memory_bytes: int | None):
        """Call ``func(*args)`` in a worker and return its result (see ``run_isolated``)."""
        worker = self._checkout(max_memory_bytes)
        reusable = False
        try:
            try:
                worker.conn.send((func, args))
            except (BrokenPipeError, ConnectionResetError):  # died while idle: a fresh one
                worker.stop()
                worker = _Worker(max_memory_bytes)
                worker.conn.send((func, args))
            if not worker.conn.poll(timeout_s):
                raise RenderTimeout(
                    f"Die Erstellung des Dokuments hat länger als {timeout_s:g} Sekunden gedauert "
                    "und wurde abgebrochen."
                )
            try:
                status, value, reusable = worker.conn.recv()
            except (EOFError, ConnectionResetError):
                worker.process.join(1)
                raise DocumentError(
                    "Die Erstellung des Dokuments ist unerwartet abgebrochen "
                    f"(Prozess-Ende {worker.process.exitcode}; zu viel Speicher?)."
                ) from None
        finally:
            worker.jobs += 1
            self._checkin(worker, reusable)
        if status == "ok":
            return value
        raise value

    def _checkout(self, max_memory_bytes):
        with self._lock:
            self._after_fork()
            for i in range(len(self._idle) - 1, -1, -1):
                worker = self._idle[i]
                if worker.max_memory_bytes == max_memory_bytes:
                    del self._idle[i]
                    if worker.alive():
                        return worker
                    worker.stop()
        return _Worker(max_memory_bytes)

    def _checkin(self, worker, reusable):
        retire = None
        with self._lock:
            if reusable and worker.jobs < self.max_jobs and worker.alive() and os.getpid() == self._pid:
                self._idle.append(worker)
                if len(self._idle) > self.idle_workers:
                    retire = self._idle.pop(0)
            else:
                retire = worker
        if retire is not None:
            retire.stop()

    def _after_fork(self):
        # in a process forked from the one that started the workers (gunicorn --preload): they
        # are not ours to use; forget them without touching them
        if os.getpid() != self._pid:
            self._idle, self._pid = [], os.getpid()

    def shutdown(self):
        """Stop the idle workers (tests; a running app lets them end with the process)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def idle_count(self):
        with self._lock:
            return len(self._idle)


POOL = RenderPool()


def run_isolated(func, args: tuple, timeout_s: float, max_memory_bytes: int | None):
    """Call ``func(*args)`` in a render worker and return its result.

    Raises ``RenderTimeout`` after ``timeout_s`` seconds (the worker is killed),
    re-raises the worker's ``DocumentError`` (same class, same message), and
    raises ``DocumentError`` when the worker dies (e.g. out of memory).
    """
    return POOL.run(func, args, timeout_s, max_memory_bytes)


def _serve(conn, max_memory_bytes):
    """The worker: set the memory limit once, then render job after job until told to stop."""
    if max_memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (max_memory_bytes, max_memory_bytes))
    while True:
        try:
            func, args = conn.recv()
        except (EOFError, OSError):  # the parent is gone or retired us
            return
        result = _call(func, args)
        conn.send(result)
        if not result[2]:
            return


def _call(func, args):
    """(status, value, reusable): a worker that ran out of memory is not used again."""
    try:
        return ("ok", func(*args), True)
    except DocumentError as exc:
        return ("error", exc, True)
    except MemoryError:
        return ("error", DocumentError(
            "Die Erstellung des Dokuments benötigt zu viel Speicher und wurde abgebrochen."), False)
    except Exception as exc:  # noqa: BLE001 - report everything, never hang the parent
        return ("error", DocumentError(
            f"Die Erstellung des Dokuments ist fehlgeschlagen: {type(exc).__name__}: {exc}"), False)
