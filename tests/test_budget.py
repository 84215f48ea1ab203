import threading
import time

import pytest

from symopt.budget import Budget, run_bounded
from symopt.errors import BudgetExceeded


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return "done"


def test_a_step_that_finishes_returns_its_value():
    assert run_bounded(lambda: spin(0.01), 1.0) == "done"


def test_a_step_that_overruns_is_interrupted_in_the_main_thread():
    started = time.perf_counter()
    with pytest.raises(BudgetExceeded):
        run_bounded(lambda: spin(5), 0.2)
    assert time.perf_counter() - started < 1.5


def test_a_step_that_overruns_in_a_worker_thread_is_abandoned():
    outcome = {}

    def worker():
        try:
            run_bounded(lambda: spin(2), 0.2)
        except BudgetExceeded:
            outcome["timed_out"] = True

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(5)
    assert outcome == {"timed_out": True}


def test_nested_budgets_respect_the_outer_deadline():
    budget = Budget(0.3)
    started = time.perf_counter()
    with pytest.raises(BudgetExceeded):
        budget.run(lambda: run_bounded(lambda: spin(5), 10.0))
    assert time.perf_counter() - started < 1.5


def test_budget_rejects_nonsense():
    with pytest.raises(ValueError, match="positive"):
        Budget(-1)
