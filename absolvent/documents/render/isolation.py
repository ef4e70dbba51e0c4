"""Run one render in a child process so a time limit can really stop it.

A thread cannot be killed in Python: a runaway template (nested loops) or a
pathological layout would keep burning CPU after the caller gave up. So each
render runs in a child process forked from a ``forkserver`` (a small, clean,
single-threaded server process that has already imported WeasyPrint and
docxtpl); on timeout the child is killed. The forkserver is safe to use from
the threads of a WSGI server (unlike plain ``fork``), and much faster than
``spawn`` because the heavy imports are done once.

Like every ``multiprocessing`` user, a script that renders documents at import
level needs the ``if __name__ == "__main__":`` guard (the child re-imports the
main script by path); the Flask app, its CLI and pytest are unaffected.

The child also gets an address-space limit (``Limits.max_memory_bytes``) so a
template that produces gigabytes of text fails fast instead of exhausting RAM.
"""

import multiprocessing
import resource

from .errors import DocumentError, RenderTimeout

_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload(["absolvent.documents.render._preload"])


def run_isolated(func, args: tuple, timeout_s: float, max_memory_bytes: int | None):
    """Call ``func(*args)`` in a child process and return its result.

    Raises ``RenderTimeout`` after ``timeout_s`` seconds (the child is killed),
    re-raises the child's ``DocumentError`` (same class, same message), and
    raises ``DocumentError`` when the child dies (e.g. out of memory).
    """
    receiver, sender = _CTX.Pipe(duplex=False)
    process = _CTX.Process(
        target=_child, args=(sender, func, args, max_memory_bytes), daemon=True
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise RenderTimeout(
                f"Die Erstellung des Dokuments hat länger als {timeout_s:g} Sekunden gedauert "
                "und wurde abgebrochen."
            )
        try:
            status, value = receiver.recv()
        except EOFError:
            process.join(1)
            raise DocumentError(
                "Die Erstellung des Dokuments ist unerwartet abgebrochen "
                f"(Prozess-Ende {process.exitcode}; zu viel Speicher?)."
            ) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if status == "ok":
        return value
    raise value


def _child(sender, func, args, max_memory_bytes):
    if max_memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (max_memory_bytes, max_memory_bytes))
    try:
        result = ("ok", func(*args))
    except DocumentError as exc:
        result = ("error", exc)
    except MemoryError:
        result = ("error", DocumentError(
            "Die Erstellung des Dokuments benötigt zu viel Speicher und wurde abgebrochen."))
    except Exception as exc:  # noqa: BLE001 - report everything, never hang the parent
        result = ("error", DocumentError(
            f"Die Erstellung des Dokuments ist fehlgeschlagen: {type(exc).__name__}: {exc}"))
    sender.send(result)
    sender.close()
