"""Jobs for the child processes of tests/test_budget.py: light to import, so children start fast."""

import os
import subprocess
import time
from pathlib import Path


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return "done"


def pid_then_sleep(path, seconds):
    Path(path).write_text(str(os.getpid()))
    time.sleep(seconds)
    return "woke up"


def pid_then_grandchild(path, seconds):
    grandchild = subprocess.Popen(["sleep", str(seconds)])
    Path(path).write_text(f"{os.getpid()} {grandchild.pid}")
    time.sleep(seconds)
    return "woke up"


def hog(megabytes):
    block = b"x" * (megabytes * 2**20)
    time.sleep(30)
    return len(block)


def unpicklable_result():
    return lambda: None


def my_pid():
    return os.getpid()


def analyse_in_daemonic_worker(text):
    import symopt as so

    cs = so.critical_points(text, timeout=60, isolate=True)
    return os.getpid(), [(p.coords, p.kind.value) for p in cs.points], cs.status


def crash(code):
    os._exit(code)


class TwoArgumentError(Exception):
    """Pickles with one argument but needs two to be rebuilt."""

    def __init__(self, first, second):
        super().__init__(first)
        self.second = second


def raise_two_argument_error():
    raise TwoArgumentError("first", "second")
