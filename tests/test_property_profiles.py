"""Property tests are reproducible in CI, and every failure says how to replay it."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.properties import examples, profile_for


def test_ci_and_required_services_select_the_ci_profile():
    assert profile_for({}) == "dev"
    assert profile_for({"CI": "true"}) == "ci"
    assert profile_for({"REQUIRE_SERVICES": "1"}) == "ci"
    assert profile_for({"REQUIRE_SERVICES": "1", "HYPOTHESIS_PROFILE": "dev"}) == "dev"
    assert settings.get_current_profile_name() == profile_for(os.environ)


def test_the_ci_profile_draws_the_same_examples_and_more_of_them():
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None
    assert ci.max_examples > settings.get_profile("default").max_examples
    if settings.get_current_profile_name() == "ci":
        assert examples(40) > 40
    else:
        assert examples(40) == 40


def _failing_probe():
    seen = []

    @given(st.lists(st.integers(0, 10_000), min_size=1))
    def probe(numbers):
        seen.append(numbers)
        assert sum(numbers) < 5_000

    with pytest.raises(AssertionError) as failure:
        probe()
    return failure.value, seen


def test_a_failure_prints_the_decorator_that_replays_it():
    error, _seen = _failing_probe()
    notes = "\n".join(getattr(error, "__notes__", []))
    assert "Failing test case: probe(" in notes
    assert "You can reproduce this test case by temporarily adding @reproduce_failure(" in notes


@pytest.mark.skipif(
    settings.get_current_profile_name() != "ci", reason="only the ci profile is derandomized"
)
def test_under_ci_two_runs_try_the_same_examples():
    assert _failing_probe()[1] == _failing_probe()[1]
