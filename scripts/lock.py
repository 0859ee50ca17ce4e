"""Print requirements.lock: pin drugkg's dependencies (with the test and bench extras) and their transitive deps as installed."""

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement


def norm(n):
    return re.sub(r"[-_.]+", "-", n).lower()


project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
seen, todo = {}, []
env = default_environment()
for r in project["dependencies"] + [r for e in ("test", "bench") for r in project["optional-dependencies"][e]]:
    req = Requirement(r)
    if req.marker and not req.marker.evaluate({**env, "extra": ""}):
        continue
    todo.append(req)
while todo:
    req = todo.pop()
    name = norm(req.name)
    try:
        d = metadata.distribution(req.name)
    except metadata.PackageNotFoundError:
        print(f"# not installed: {req}", file=sys.stderr)
        continue
    extras = set(req.extras)
    key = name
    if key in seen and extras <= seen[key][1]:
        continue
    prev = seen.get(key, (d, set()))[1]
    seen[key] = (d, prev | extras)
    for r in d.requires or []:
        sub = Requirement(r)
        if sub.marker and not any(sub.marker.evaluate({**env, "extra": e}) for e in ["", *sorted(extras | prev)]):
            continue
        todo.append(sub)
print(
    "# requirements.lock: the versions drugkg's tests were run with "
    f"(Python {sys.version_info[0]}.{sys.version_info[1]}, Linux x86_64)."
)
print("# drugkg's dependencies with its [test] and [bench] extras, and their dependencies; nothing else.")
print('# Used as pip constraints: `pip install -c requirements.lock ".[test]"` (make venv).')
print("# Regenerate from a venv where the tests pass: .venv/bin/python scripts/lock.py > requirements.lock")
for key in sorted(seen):
    print(f"{seen[key][0].metadata['Name']}=={seen[key][0].version}")
