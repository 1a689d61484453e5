"""The lock files (`make lock`) pin every dependency pyproject.toml names, within its range, with
hashes: CI and `make serve` install from them with `pip install --require-hashes`, so a
dependency added to pyproject.toml but not to the lock would be missing from every install."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
DEV = [Requirement(r) for r in PROJECT["optional-dependencies"]["dev"]]
# "name==version ; markers \" and the --hash lines under it
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """{canonical name: (version, number of hashes)} of a lock file."""
    found: dict[str, tuple[str, int]] = {}
    name = None
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match[1])
            found[name] = (match[2], 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
    return found


def missing_or_outside(requirements: list[Requirement], lock: str) -> list[str]:
    locked = pins(lock)
    problems = []
    for requirement in requirements:
        pinned = locked.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{requirement} is not in {lock}")
        elif not requirement.specifier.contains(pinned[0], prereleases=True):
            problems.append(f"{requirement} but {lock} pins {pinned[0]}")
    return problems


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [(RUNTIME, "requirements.lock"), (RUNTIME + DEV, "requirements-dev.lock")],
    ids=["runtime", "dev"],
)
def test_lock_pins_every_dependency_of_pyproject_within_its_range(requirements, lock):
    assert missing_or_outside(requirements, lock) == [], "run `make lock` and commit the locks"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_has_a_hash(lock):
    locked = pins(lock)
    assert len(locked) > len(RUNTIME)
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []


def test_runtime_and_dev_locks_agree_on_every_shared_package():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {n: v for n, (v, _) in runtime.items() if dev.get(n, (v,))[0] != v} == {}
    assert set(runtime) <= set(dev)


def test_the_check_catches_a_dependency_missing_from_the_lock():
    """The comparison itself: a requirement the lock lacks, or pins outside its range, is named."""
    assert missing_or_outside(
        [Requirement("not-a-dependency-of-cpd-log>=1")], "requirements.lock"
    ) == ["not-a-dependency-of-cpd-log>=1 is not in requirements.lock"]
    flask = pins("requirements.lock")["flask"][0]
    assert missing_or_outside([Requirement(f"Flask>{flask}")], "requirements.lock") == [
        f"Flask>{flask} but requirements.lock pins {flask}"
    ]
