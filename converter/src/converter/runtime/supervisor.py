"""Run one job in a forked child under a wall-clock and a memory limit.

Why fork: the parent has already paid the import cost (ezdxf, numpy, shapely), so a child starts
in milliseconds, and killing it is the only reliable way to stop a runaway C-level loop or a
memory blow-up — the parent (the warm server) survives any job. The child reports events through
a pipe; the parent relays them, polls the child's resident memory and enforces the deadline.
"""
from __future__ import annotations

import json
import os
import resource
import select
import signal
import sys
import time
import traceback
from typing import Callable

from ..errors import EXIT_INTERNAL, EXIT_OK, ConverterError, InternalError, MemoryLimit, TimeLimit
from ..options import Options

__all__ = ["run_supervised", "run_in_process", "Job"]

_POLL_S = 0.02
_PAGE = os.sysconf("SC_PAGE_SIZE")


class Job:
    """What to convert: paths, options, and the optional report path."""

    def __init__(self, input: str, output: str, options: Options, report: str | None = None) -> None:
        self.input = input
        self.output = output
        self.options = options
        self.report = report


def run_in_process(job: Job, emit: Callable[[dict], None]) -> int:
    """Run the pipeline here; every failure becomes one error event. Returns the exit code."""
    from ..pipeline import convert, write_error_report

    try:
        convert(job.input, job.output, job.options, emit, job.report)
        return EXIT_OK
    except ConverterError as exc:
        event = exc.event()
        code = exc.exit_code
    except MemoryError:
        exc2 = MemoryLimit(f"the job ran out of memory (memoryMb={job.options.memoryMb})")
        event, code = exc2.event(), exc2.exit_code
    except RecursionError:
        from ..errors import BadDrawing
        exc3 = BadDrawing("the drawing is nested too deeply to process", code="recursive_blocks")
        event, code = exc3.event(), exc3.exit_code
    except Exception as exc:  # noqa: BLE001 - the one place where bugs become internal errors
        traceback.print_exc(file=sys.stderr)
        err = InternalError(f"internal error: {type(exc).__name__}: {exc}")
        event, code = err.event(), err.exit_code
    write_error_report(job.report, event)
    emit(event)
    return code


def run_supervised(job: Job, emit: Callable[[dict], None]) -> int:
    """Fork, run the job in the child, relay its events; enforce time and memory limits."""
    from .. import pipeline  # noqa: F401  (imported before fork so children start hot)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = EXIT_INTERNAL
        try:
            os.close(read_fd)
            os.dup2(2, 1)  # stray prints must never reach the protocol stream
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _limit_address_space(job.options.memoryMb)
            out = os.fdopen(write_fd, "w", encoding="utf-8", buffering=1)

            def child_emit(event: dict) -> None:
                out.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
                out.flush()

            code = run_in_process(job, child_emit)
            out.close()
        except BaseException:  # noqa: BLE001
            traceback.print_exc(file=sys.stderr)
        finally:
            os._exit(code)
    os.close(write_fd)
    return _watch(pid, read_fd, job, emit)


def _watch(pid: int, fd: int, job: Job, emit: Callable[[dict], None]) -> int:
    deadline = time.monotonic() + job.options.timeoutSeconds
    limit_bytes = job.options.memoryMb * 1024 * 1024
    buf = b""
    final_seen = False
    killed: ConverterError | None = None
    peak = 0
    try:
        while True:
            timeout = max(0.0, min(_POLL_S * 5, deadline - time.monotonic()))
            ready, _, _ = select.select([fd], [], [], timeout)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if line.strip():
                        event = json.loads(line)
                        final_seen = final_seen or event.get("type") in ("result", "error")
                        emit(event)
            rss = _rss(pid)
            peak = max(peak, rss)
            if rss > limit_bytes:
                killed = MemoryLimit(f"the job exceeded its memory limit of {job.options.memoryMb} MiB")
            elif time.monotonic() > deadline:
                killed = TimeLimit(f"the job exceeded its time limit of {job.options.timeoutSeconds:g} s")
            if killed is not None:
                os.kill(pid, signal.SIGKILL)
                break
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    if killed is not None:
        event = killed.event()
        from ..pipeline import write_error_report
        write_error_report(job.report, event)
        emit(event)
        return killed.exit_code
    code = os.waitstatus_to_exitcode(status)
    if not final_seen:
        if code == -signal.SIGKILL:
            err: ConverterError = MemoryLimit("the job was killed, most likely out of memory")
        else:
            err = InternalError(f"the conversion process died unexpectedly (status {code})")
        emit(err.event())
        return err.exit_code
    return code if code >= 0 else EXIT_INTERNAL


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _limit_address_space(memory_mb: int) -> None:
    """Hard backstop: cap the address space well above the RSS limit the parent enforces."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            vm = int(fh.read().split()[0]) * _PAGE
        cap = vm + 2 * memory_mb * 1024 * 1024 + (512 << 20)
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or cap < hard:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError):
        pass

