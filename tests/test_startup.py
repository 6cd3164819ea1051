"""Start-up (callblock/startup.py): the `callblock` command pauses the garbage collector until
the app's first frame is out, or until another command's work begins, then freezes what
start-up made; importing callblock as a library changes nothing. Each case runs in a fresh
interpreter, as the command does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from callblock.cli import main
from tests.conftest import NOW

NOW_TEXT = NOW.isoformat()


def python(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_command_runs_its_work_with_the_collector_on(tmp_path: Path) -> None:
    db = tmp_path / "cb.db"
    facts = python(
        "import gc, json, sys\n"
        "from callblock.entry import main\n"
        "import callblock.services.demo as demo\n"
        "paused = not gc.isenabled()\n"
        "seen = []\n"
        "real = demo.build_demo\n"
        "def seed(*args, **kwargs):\n"
        "    seen.append(gc.isenabled())\n"
        "    return real(*args, **kwargs)\n"
        "demo.build_demo = seed\n"
        "code = main(['--db', sys.argv[1], '--now', sys.argv[2], 'demo', '--leads', '5'])\n"
        "print(json.dumps({'code': code, 'paused': paused, 'during': seen,\n"
        "                  'frozen': gc.get_freeze_count() > 1000}))",
        str(db),
        NOW_TEXT,
    )
    assert facts == {"code": 0, "paused": True, "during": [True], "frozen": True}


# In the child: the command's start-up, then the power hour on the database in argv[1] at the
# time in argv[2] (as `callblock dial` makes it).
APP_ON = (
    "import asyncio, gc, json, sys\n"
    "from pathlib import Path\n"
    "import callblock.entry\n"
    "from callblock import startup\n"
    "from callblock.app import create_app\n"
    "from callblock.clock import FixedClock, parse_iso\n"
    "from callblock.config import Settings\n"
    "from callblock.store import Store\n"
    "def power_hour():\n"
    "    store = Store.open(Path(sys.argv[1]))\n"
    "    clock = FixedClock(parse_iso(sys.argv[2]))\n"
    "    settings = Settings(timezone='America/New_York')\n"
    "    app = create_app(settings=settings, store=store, clock=clock, rep='a', start='dial')\n"
    "    return app, store\n"
)


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    """20 demo leads, for the app's start-up in a child interpreter."""
    db = tmp_path / "cb.db"
    assert main(["--db", str(db), "--now", NOW_TEXT, "demo", "--leads", "20"]) == 0
    return db


def test_the_app_turns_the_collector_on_once_its_first_frame_is_out(demo_db: Path) -> None:
    db = demo_db
    facts = python(
        APP_ON + "async def run():\n"
        "    app, store = power_hour()\n"
        "    before = gc.isenabled()\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        "        after = gc.isenabled()\n"
        "    store.close()\n"
        "    return {'before': before, 'after': after, 'frozen': gc.get_freeze_count() > 1000}\n"
        "print(json.dumps(asyncio.run(run())))",
        str(db),
        NOW_TEXT,
    )
    assert facts == {"before": False, "after": True, "frozen": True}


# Loaded after the power hour's first frame, not before it: the notes' Markdown (~40 ms), the
# notes editor's TextArea and the prompts (~10 ms), the phone library and its caches.
LATER = [
    "rich.markdown",
    "textual.widgets._text_area",
    "callblock.widgets.safe_input",
    "callblock.screens.prompts",
    "phonenumbers",
    "callblock.domain.phone_prefixes",
]


def test_the_first_frame_waits_for_none_of_the_later_modules(demo_db: Path) -> None:
    db = demo_db
    facts = python(
        APP_ON + "at_first_frame = []\n"
        "real = startup.finished\n"
        "def finished():\n"
        "    at_first_frame.extend(sys.modules)\n"
        "    real()\n"
        "startup.finished = finished\n"
        "async def run():\n"
        "    app, store = power_hour()\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        "        await pilot.press('e', 'h', 'i')\n"
        "        await pilot.pause()\n"
        "        typed = app.focused.text[-2:]\n"
        "    store.close()\n"
        "    later = json.loads(sys.argv[3])\n"
        "    return {'loaded': [m for m in later if m in at_first_frame], 'typed': typed,\n"
        "            'markdown_now': 'rich.markdown' in sys.modules}\n"
        "print(json.dumps(asyncio.run(run())))",
        str(db),
        NOW_TEXT,
        json.dumps(LATER),
    )
    assert facts == {"loaded": [], "typed": "hi", "markdown_now": True}


def test_importing_callblock_leaves_the_collector_alone() -> None:
    facts = python(
        "import gc, json\n"
        "import callblock.cli, callblock.app, callblock.cli.run\n"
        "from callblock import startup\n"
        "startup.finished()  # nothing was paused: nothing to do\n"
        "print(json.dumps({'on': gc.isenabled(), 'frozen': gc.get_freeze_count()}))"
    )
    assert facts == {"on": True, "frozen": 0}
