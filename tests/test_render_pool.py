"""The warm pool of render processes (issue 11): workers are reused, a worker killed by the
time limit or dead of a crash is replaced, memory limits hold, several threads render at once.

Needs no Flask fixtures. Standard library functions stand in for renders where a test needs
a render that sleeps, crashes or allocates (they are pickled by name, like the engine's)."""
import os
import threading
import time

import pytest

from absolvent.documents.render import DocumentError, Limits, RenderTimeout, render_docx
from absolvent.documents.render.isolation import POOL, RenderPool, run_isolated
from tests.helpers import docx_text, tiny_docx

MEMORY = 2_000_000_000  # Limits' default


def _gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_worker_serves_render_after_render():
    first = run_isolated(os.getpid, (), 30, MEMORY)
    assert first != os.getpid()
    assert run_isolated(os.getpid, (), 30, MEMORY) == first
    assert "Hallo Erika" in docx_text(render_docx(tiny_docx("Hallo {{ name }}"), {"name": "Erika"}))
    assert run_isolated(os.getpid, (), 30, MEMORY) == first


def test_worker_killed_by_the_time_limit_is_replaced():
    pid = run_isolated(os.getpid, (), 30, MEMORY)
    started = time.monotonic()
    with pytest.raises(RenderTimeout, match="länger als 0.5 Sekunden"):
        run_isolated(time.sleep, (30,), 0.5, MEMORY)  # runs in the worker ``pid``
    assert time.monotonic() - started < 10
    assert _gone(pid)
    assert run_isolated(os.getpid, (), 30, MEMORY) not in (pid, os.getpid())
    runaway = "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"
    with pytest.raises(RenderTimeout):
        render_docx(tiny_docx(runaway), {}, limits=Limits(timeout_s=1))
    assert "Hallo Erika" in docx_text(render_docx(tiny_docx("Hallo {{ name }}"), {"name": "Erika"}))


def test_pool_survives_a_crashing_render():
    pid = run_isolated(os.getpid, (), 30, MEMORY)
    with pytest.raises(DocumentError, match=r"unerwartet abgebrochen \(Prozess-Ende 3"):
        run_isolated(os._exit, (3,), 30, MEMORY)
    assert _gone(pid)
    assert "Hallo Erika" in docx_text(render_docx(tiny_docx("Hallo {{ name }}"), {"name": "Erika"}))


def test_worker_dead_while_idle_is_replaced():
    pid = run_isolated(os.getpid, (), 30, MEMORY)
    os.kill(pid, 9)
    time.sleep(0.2)
    assert run_isolated(os.getpid, (), 30, MEMORY) != pid


def test_memory_limit_holds_and_the_worker_is_not_used_again():
    pid = run_isolated(os.getpid, (), 30, 500_000_000)
    with pytest.raises(DocumentError, match="zu viel Speicher"):
        run_isolated(bytearray, (1_000_000_000,), 30, 500_000_000)
    assert _gone(pid)
    assert run_isolated(len, (b"abc",), 30, 500_000_000) == 3


def test_workers_keep_their_memory_limit_apart():
    small = run_isolated(os.getpid, (), 30, 500_000_000)
    default = run_isolated(os.getpid, (), 30, MEMORY)
    assert small != default
    with pytest.raises(DocumentError, match="zu viel Speicher"):
        run_isolated(bytearray, (700_000_000,), 30, 500_000_000)
    assert run_isolated(os.getpid, (), 30, MEMORY) == default  # untouched by the other's failure


def test_renders_from_several_threads_at_once():
    results, failures = {}, []
    template = tiny_docx("Teilnahme von {{ name }}")

    def render(n):
        try:
            results[n] = docx_text(render_docx(template, {"name": f"Person {n}"}))
        except Exception as exc:  # noqa: BLE001 - asserted below
            failures.append(repr(exc))

    threads = [threading.Thread(target=render, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    assert all(f"Teilnahme von Person {n}" in results[n] for n in range(6))
    assert POOL.idle_count() <= POOL.idle_workers


def test_worker_retires_after_its_jobs():
    pool = RenderPool(idle_workers=1, max_jobs=2)
    try:
        first = pool.run(os.getpid, (), 30, MEMORY)
        assert pool.run(os.getpid, (), 30, MEMORY) == first
        third = pool.run(os.getpid, (), 30, MEMORY)
        assert third != first and _gone(first)
    finally:
        pool.shutdown()
    assert pool.idle_count() == 0 and _gone(third)


def test_forked_process_does_not_use_the_parents_workers():
    run_isolated(os.getpid, (), 30, MEMORY)
    assert POOL.idle_count() >= 1
    pid = os.fork()
    if pid == 0:
        POOL._after_fork()
        os._exit(0 if POOL.idle_count() == 0 else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert POOL.idle_count() >= 1
