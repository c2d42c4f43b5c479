"""Are requirements*.lock in step with the requirements*.txt people edit?

Offline and quick, for `make lint`: every pin in a .txt is in its lock at the
same version, the lock names no top-level package the .txt has lost, every
locked package has a hash, and the dev lock holds the runtime lock's
versions. It does not ask PyPI whether newer releases exist: `make lock`
does that when someone changes a pin.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def top_level_pins(path: Path) -> dict[str, str]:
    """name -> version of every pin in a requirements file and those it includes (-r)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins |= top_level_pins(path.parent / line[3:].strip())
        elif line:
            match = PIN.match(line)
            if not match:
                sys.exit(f"{path.name}: not an exact pin (name==version): {line}")
            pins[normalise(match[1])] = match[2]
    return pins


def locked(path: Path) -> tuple[dict[str, str], set[str], set[str]]:
    """name -> version, the names asked for directly (`via -r`), and names with no hash."""
    versions, direct, unhashed = {}, set(), set()
    current = None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = normalise(match[1])
            versions[current] = match[2]
            if "--hash=" not in line:
                unhashed.add(current)
        elif current and "--hash=" in line:
            unhashed.discard(current)
        elif current and re.search(r"#\s+(via\s+)?-r requirements", line):
            direct.add(current)
    return versions, direct, unhashed


def check(txt: str, lock: str) -> list[str]:
    wanted = top_level_pins(ROOT / txt)
    versions, direct, unhashed = locked(ROOT / lock)
    problems = [
        f"{lock}: {name} is {versions.get(name, 'missing')}, {txt} pins {version}"
        for name, version in sorted(wanted.items())
        if versions.get(name) != version
    ]
    problems += [f"{lock}: {name} is no longer in {txt}" for name in sorted(direct - set(wanted))]
    problems += [f"{lock}: {name} has no hash" for name in sorted(unhashed)]
    return problems


def main() -> int:
    problems = check("requirements.txt", "requirements.lock")
    problems += check("requirements-dev.txt", "requirements-dev.lock")
    runtime, _, _ = locked(ROOT / "requirements.lock")
    dev, _, _ = locked(ROOT / "requirements-dev.lock")
    problems += [
        f"requirements-dev.lock: {name} is {dev.get(name, 'missing')}, "
        f"requirements.lock has {version}"
        for name, version in sorted(runtime.items())
        if dev.get(name) != version
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("The locks are out of step with requirements*.txt: run `make lock`.", file=sys.stderr)
        return 1
    print("requirements*.lock are in step with requirements*.txt.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
