"""Hypothesis profiles and example budgets: varied locally, reproducible and wider in CI."""

import os

from hypothesis import settings

CI_EXAMPLES_FACTOR = 2


def profile_for(environ=os.environ) -> str:
    """ "ci" when CI runs the suite (CI=true, or REQUIRE_SERVICES=1 as .ci/run sets), else "dev";
    HYPOTHESIS_PROFILE chooses explicitly."""
    if environ.get("HYPOTHESIS_PROFILE"):
        return environ["HYPOTHESIS_PROFILE"]
    ci = environ.get("CI") == "true" or environ.get("REQUIRE_SERVICES") == "1"
    return "ci" if ci else "dev"


def register_profiles() -> None:
    # Every failure prints the @reproduce_failure decorator that replays it.
    settings.register_profile("dev", print_blob=True)
    # CI draws the same examples on every run (derandomize: the seed comes from the test's
    # name), so a red build is red again on a rerun; nothing is written to .hypothesis/.
    settings.register_profile(
        "ci",
        derandomize=True,
        database=None,
        print_blob=True,
        max_examples=100 * CI_EXAMPLES_FACTOR,  # Hypothesis' own default is 100
    )


def examples(local: int) -> int:
    """A property test's example budget: `local` on a developer's run, more under "ci"."""
    factor = CI_EXAMPLES_FACTOR if settings.get_current_profile_name() == "ci" else 1
    return local * factor
