"""The dataclass code cache (callblock/codecache.py): classes made from cached code are the
classes dataclasses makes, a second run compiles nothing, and only a safe file is ever run.

Each case runs in a fresh interpreter: the cache patches `dataclasses` for the whole process
(this test process has it already, from importing callblock.cli)."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

# A module with classes of every kind dataclasses writes code for; with `from __future__ import
# annotations`, as callblock's modules have (the cached code must not inherit it).
CLASSES = """
from __future__ import annotations
import dataclasses
from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True)
class Frozen:
    name: str
    tags: tuple[str, ...] = ()
    score: float = 0.5

@dataclass
class Plain:
    items: list[int] = field(default_factory=list)
    seen: int = 0
    def __post_init__(self) -> None:
        self.seen = len(self.items)

@dataclass(order=True, kw_only=True)
class Ordered:
    rank: int
    label: str = "x"

def facts() -> dict:
    frozen = Frozen("a", ("t",))
    try:
        frozen.name = "b"
        refused = False
    except dataclasses.FrozenInstanceError:
        refused = True
    return {
        "repr": [repr(frozen), repr(Plain([1, 2])), repr(Ordered(rank=2))],
        "eq": [frozen == Frozen("a", ("t",)), frozen == Frozen("b"), Plain() == Plain()],
        "hash": hash(frozen) == hash(Frozen("a", ("t",))),
        "refused": refused,
        "post_init": Plain([1, 2, 3]).seen,
        "order": Ordered(rank=1) < Ordered(rank=2),
        "defaults": [Frozen("z").score, Plain().items],
        "annotations": {
            cls.__name__: {k: repr(v) for k, v in cls.__init__.__annotations__.items()}
            for cls in (Frozen, Plain, Ordered)
        },
    }
"""

RUN = """
import json, sys
from pathlib import Path
use_cache = sys.argv[2] == "cache"
if use_cache:
    from callblock import codecache
    codecache.install(Path(sys.argv[1]))
sys.path.insert(0, sys.argv[3])
import made_classes
out = made_classes.facts()
if use_cache:
    out["compiled"] = codecache._added
    out["cached"] = len(codecache._codes)
print(json.dumps(out))
"""


def run(tmp_path: Path, cache: Path, mode: str = "cache") -> dict:
    module = tmp_path / "mods"
    module.mkdir(exist_ok=True)
    (module / "made_classes.py").write_text(CLASSES)
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(cache), mode, str(module)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return json.loads(done.stdout)


def without_counts(facts: dict) -> dict:
    return {k: v for k, v in facts.items() if k not in ("compiled", "cached")}


def test_the_second_run_compiles_nothing_and_makes_the_same_classes(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "code.marshal"
    plain = run(tmp_path, cache, "none")
    first = run(tmp_path, cache)
    assert first["compiled"] > 10 and cache.exists()
    assert cache.stat().st_mode & 0o777 == 0o600
    assert cache.parent.stat().st_mode & 0o777 == 0o700
    second = run(tmp_path, cache)
    assert second["compiled"] == 0 and second["cached"] == first["cached"]
    assert without_counts(first) == without_counts(second) == plain
    # the generated __init__'s return annotation is None, as dataclasses makes it: the cached
    # code did not inherit the `annotations` future of the code that compiled it
    assert plain["annotations"]["Frozen"]["return"] == "None"


def test_a_file_others_may_write_or_another_user_owns_is_never_run(tmp_path: Path) -> None:
    cache = tmp_path / "code.marshal"
    run(tmp_path, cache)
    cache.chmod(0o664)  # group-writable
    assert run(tmp_path, cache)["compiled"] > 10
    cache.chmod(0o600)
    assert run(tmp_path, cache)["compiled"] == 0
    # owned by someone else: the uid check, seen from a process that is another user
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; from pathlib import Path; from callblock import codecache\n"
            "os.getuid = lambda: 12345\n"
            "print(len(codecache._read(Path(sys.argv[1]))))",
            str(cache),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.stdout.strip() == "0", other


def test_a_damaged_or_foreign_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    cache = tmp_path / "code.marshal"
    for content in (b"", b"\x00garbage", marshal.dumps([1, 2]), marshal.dumps({"x": 1})):
        cache.write_bytes(content)
        cache.chmod(0o600)
        facts = run(tmp_path, cache)
        assert facts["compiled"] > 10 and facts["post_init"] == 3
    assert run(tmp_path, cache)["compiled"] == 0  # the last run wrote a good one
    # every entry's code damaged (bytes that are no code, or code of something else): each
    # class is compiled again, and works
    entries = marshal.loads(cache.read_bytes())
    junk = [b"\x00junk", marshal.dumps(1), marshal.dumps("text")]
    damaged = {source: junk[n % 3] for n, source in enumerate(entries)}
    cache.write_bytes(marshal.dumps(damaged))
    facts = run(tmp_path, cache)
    assert facts["compiled"] == len(entries) and facts["post_init"] == 3


def test_an_unwritable_cache_folder_costs_nothing_but_the_time(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    cache = folder / "sub" / "code.marshal"
    try:
        if os.geteuid() == 0:  # root writes anywhere: use a path under a file instead
            cache = tmp_path / "a-file" / "code.marshal"
            (tmp_path / "a-file").write_text("")
        facts = run(tmp_path, cache)
        assert facts["compiled"] > 10 and not cache.exists()
        assert not [p for p in cache.parent.parent.iterdir() if p.name.startswith(".")]
    finally:
        folder.chmod(0o700)
