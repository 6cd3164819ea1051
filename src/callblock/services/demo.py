"""A realistic, deterministic demo database: leads across zones, histories, promises, inbound."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from callblock.clock import Clock, iso, parse_iso
from callblock.config import Settings
from callblock.domain.calling import zone_info
from callblock.domain.models import FIT_CRITERIA, LeadStatus
from callblock.domain.outcomes import OUTCOME_BY_CODE, LeadState, state_after
from callblock.domain.phones import normalize_phone
from callblock.domain.planning import REFERENCE_WEIGHT
from callblock.domain.ranges import DEMO_LEADS_MAX
from callblock.domain.weights import Weights
from callblock.services import ServiceError
from callblock.services.cadence import (
    DEMO_SCHEDULE,
    FINGERPRINT_KEY,
    SCHEDULE_KEY,
    cadence_fingerprint,
    refresh_due,
    with_schedule,
)
from callblock.store import Store

FIRST = """James Mary Robert Patricia John Jennifer Michael Linda William Elizabeth David Barbara
Richard Susan Joseph Jessica Thomas Sarah Carlos Maria Wei Priya Ahmed Fatima Olga Hiroshi Chloe
Liam Noah Emma Ava Lucas Mia Ethan Sofia Mateo Aisha Kwame Ingrid Sven""".split()
LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Clark
Lewis Walker Hall Young King Wright Scott Green Baker Adams Nelson O'Brien Müller Nakamura Okafor
Brodo Lindqvist""".split()
# How to say the harder names (a merge field, shown by the name); what leads asked for.
SAY = {
    "Brodo": "BROH-doh",
    "Nakamura": "nah-kah-MOO-rah",
    "Okafor": "oh-KAH-for",
    "Lindqvist": "LIND-kvist",
    "Müller": "MEW-ler",
    "Hiroshi": "hee-ROH-shee",
}
INTERESTS = (
    "the pricing guide",
    "the ROI calculator",
    "a demo request",
    "the cold-calling webinar",
    "the 2026 benchmark report",
    "a free trial",
)
COMPANY_A = """Acme Globex Initech Umbrella Stark Wayne Wonka Hooli Pied Vandelay Soylent Cyberdyne
Tyrell Oscorp Gringotts Dunder Monarch Aperture Blue Northwind Contoso""".split()
COMPANY_B = """Corp Inc Labs Systems Analytics Logistics Health Media Partners Group Foods Software
Dynamics Capital Robotics""".split()
TITLES = (
    "VP Sales",
    "Head of Marketing",
    "Operations Manager",
    "CTO",
    "Founder & CEO",
    "Procurement Lead",
    "Director of IT",
    "Office Manager",
    "CFO",
    "Growth Lead",
)
# (country prefix + area code, subscriber digits) spread over zones east and west of UTC
PHONE_PREFIXES = (
    ("+1212", 7),
    ("+1617", 7),
    ("+1305", 7),
    ("+1404", 7),
    ("+1312", 7),
    ("+1214", 7),
    ("+1303", 7),
    ("+1602", 7),
    ("+1415", 7),
    ("+1206", 7),
    ("+1416", 7),
    ("+1808", 7),
    ("+4420", 8),
    ("+4930", 8),
    ("+33 1", 8),
    ("+612", 8),
    ("+6590", 6),
)
REPS = ("alice", "bob", "carmen", "dev")
PRIOR_WEIGHTS = Weights()
OUTCOME_WEIGHTS = {
    "no-answer": 38,
    "voicemail": 22,
    "busy": 4,
    "gatekeeper": 9,
    "connected": 12,
    "callback": 5,
    "meeting": 3,
    "not-interested": 5,
    "bad-number": 1.5,
    "dnc": 0.5,
}
NOTE_TEMPLATES = (
    "## {company}\n\n- {size} employees, {stage}\n- Uses **{tool}** today; contract renews in "
    "{month}\n- Found via {source}\n\n### Talking points\n\n1. {pain}\n2. Ask who else is "
    "involved in the decision\n",
    "**{name}** reports to the {boss}.\n\n- {pain}\n- Prefers calls late afternoon\n- Site: "
    "`{domain}`\n",
    "",
)


def build_demo(
    store: Store, clock: Clock, *, leads: int = 500, seed: int = 7, settings: Settings
) -> int:
    """Fill an empty database with `leads` demo leads; returns the number added."""
    if not 1 <= leads <= DEMO_LEADS_MAX:
        raise ServiceError(f"leads: {leads} is outside 1..{DEMO_LEADS_MAX}")
    rng = random.Random(seed)
    now = clock.now()
    settings = with_schedule(settings, DEMO_SCHEDULE)
    phones = _phone_cache()
    with store.transaction():
        # Checked inside the write transaction: of two demo runs on one file, the second waits
        # for the first and then refuses (its lead ids would collide).
        if store.admin.count("leads"):
            raise ServiceError(
                f"{store.path} already holds leads; demo data goes into an empty one"
            )
        lead_rows: list[dict[str, Any]] = []
        touch_rows: list[dict[str, Any]] = []
        promise_rows: list[dict[str, Any]] = []
        for lead_id in range(1, leads + 1):
            lead, touches, promise = _demo_lead(rng, lead_id, now, phones, leads, settings)
            lead_rows.append(lead)
            touch_rows.extend(touches)
            if promise:
                promise_rows.append(promise)
            if len(lead_rows) >= 5000:
                _flush(store, lead_rows, touch_rows, promise_rows)
        _flush(store, lead_rows, touch_rows, promise_rows)
        # The demo runs the multi-channel schedule whatever the config's default: the database
        # keeps it (a config file that sets its own [queue] schedule still wins).
        store.admin.set_meta(SCHEDULE_KEY, json.dumps(DEMO_SCHEDULE))
        refresh_due(store, settings, settings.weights)
        from callblock.services.demo_templates import add_demo_templates

        add_demo_templates(store, now)  # the script, voicemails, emails, note, goodbye
    store.admin.set_meta(FINGERPRINT_KEY, cadence_fingerprint(settings))
    return leads


def _flush(store: Store, *batches: list[dict[str, Any]]) -> None:
    for table, rows in zip(("leads", "touches", "callbacks"), batches, strict=True):
        if rows:
            store.leads.insert_many(table, rows)
            rows.clear()


def _phone_cache() -> Any:
    cache: dict[str, Any] = {}

    def lookup(number: str) -> Any:
        if number not in cache:
            cache[number] = normalize_phone(number)
        return cache[number]

    return lookup


def _phone(rng: random.Random, lookup: Any) -> Any:
    while True:
        prefix, digits = rng.choice(PHONE_PREFIXES)
        first = str(rng.randint(2, 9))
        number = (
            prefix.replace(" ", "")
            + first
            + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
        )
        try:
            return lookup(number)
        except ValueError:
            continue


def _demo_lead(
    rng: random.Random, lead_id: int, now: datetime, lookup: Any, total: int, settings: Settings
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"
    if lead_id == 3:
        company = "Brodo & Sons [UK] Ltd"  # brackets are data, shown literally
    phone = _phone(rng, lookup)
    fresh = lead_id > total - 3  # the newest few are inbound leads that just arrived
    created = now - (
        timedelta(minutes=2 + 9 * (total - lead_id))
        if fresh
        else timedelta(days=rng.uniform(1, 40), minutes=rng.randint(0, 600))
    )
    name = f"{first} {last}"
    mailbox = f"{first}.{last}".lower().replace("'", "")
    # at the company's domain: two people of one name at two companies are two mailboxes
    domain = "-".join(company.lower().replace("&", " ").replace("[", " ").replace("]", " ").split())
    heat = rng.choices(("hot", "warm", "cold"), (2, 5, 3))[0]
    lead: dict[str, Any] = {
        "id": lead_id,
        "name": name,
        "company": company,
        "title": rng.choice(TITLES),
        "email": f"{mailbox}@{domain}.example.com",
        **phone.record(),
        "timezone": None,
        "temperature": heat,
        "fit": {n: rng.randint(0, top) for n, (top, _) in FIT_CRITERIA.items()},
        "owner": rng.choice(REPS) if rng.random() < 0.5 else None,  # else the team's pool
        "status": LeadStatus.NEW.value,
        "created_at": iso(created),
        "notes": _notes(rng, name, company),
        "attempts": 0,
        "steps_done": 0,
        "last_touch_at": None,
        "first_call_at": None,
        "bad_number": 0,
        "links": [f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{lead_id}"],
        "first_name": first,
        "last_name": last,
        "pronunciation": " ".join(SAY[part] for part in (first, last) if part in SAY),
        "interest": INTERESTS[lead_id % len(INTERESTS)],  # not drawn: the demo stays the same
    }
    touches = [] if fresh else _history(rng, lead, created, now, settings)
    promise = None
    every = min(97, max(total // 6, 1))  # a few promises in a small demo, ~1% in a large one
    open_lead = lead["status"] in (LeadStatus.WORKING.value, LeadStatus.NURTURE.value)
    if not fresh and lead_id % every == 0 and open_lead:
        # a handful due around now (one overdue), the rest spread over the next two weeks
        if lead_id <= every * 6:
            due = now + timedelta(minutes=(-40, -10, 0, 20, 90, 240)[lead_id // every - 1])
        else:
            due = now + timedelta(days=rng.randint(1, 14), hours=rng.randint(-3, 3))
        promise = {
            "lead_id": lead_id,
            "rep": lead["owner"] or rng.choice(REPS),
            "due_at": iso(due),
            "kind": "callback",
            "state": "open",
        }
    return lead, touches, promise


def _demo_template(lead_id: int, channel: str, step: int) -> tuple[str | None, str | None]:
    """The demo template a lead's message of `step` used, and its variant (A/B pairs split by
    lead id, as the store's even assignment would; services/demo_templates.py)."""
    from callblock.services.demo_templates import DEMO_TEMPLATES

    own = [t for t in DEMO_TEMPLATES if t.channel.value == channel and t.step == step]
    candidates = own or [t for t in DEMO_TEMPLATES if t.channel.value == channel and t.step is None]
    if not candidates:
        return None, None
    chosen = sorted(candidates, key=lambda t: (t.variant, t.name))[lead_id % len(candidates)]
    return chosen.name, chosen.variant or None


# Outcomes after which a demo lead's history stops (do-not-call, qualified, a bad number).
_ENDS_HISTORY = frozenset({"dnc", "meeting", "bad-number"})


def _history(
    rng: random.Random, lead: dict[str, Any], created: datetime, now: datetime, settings: Settings
) -> list[dict[str, Any]]:
    """The lead's touches so far, step by step of the schedule: a dial on a call step, the
    message sent on an email, LinkedIn or SMS step (the random draws are the same either way,
    so every lead's dials fall as they always did)."""
    count = rng.choices(range(7), (18, 20, 18, 15, 12, 9, 8))[0]
    zone = zone_info(lead["phone_timezone"] or "America/New_York")
    moments = sorted(_calling_moment(rng, created, now, zone) for _ in range(count))
    steps = settings.cadence.steps
    rows = []
    for number, at in enumerate(moments, start=1):
        # Contacts follow the published weekday and hour pattern, so the learned weights and
        # the review's heat map have something real to show.
        local = at.astimezone(zone)
        lift = PRIOR_WEIGHTS.at(local.weekday(), local.hour) / REFERENCE_WEIGHT
        weights = [
            w * (lift if OUTCOME_BY_CODE[c].is_contact else 1) for c, w in OUTCOME_WEIGHTS.items()
        ]
        code = rng.choices(list(OUTCOME_WEIGHTS), weights)[0]
        if code == "meeting" and at > now - timedelta(days=1):
            code = "connected"
        rep, note = rng.choice(REPS), _touch_note(rng, code)
        lead["steps_done"] += 1
        lead["last_touch_at"] = iso(at)
        step = steps[number - 1] if number <= len(steps) else None
        if step is not None and not step.is_call:
            if lead["status"] == LeadStatus.NEW.value:
                lead["status"] = LeadStatus.WORKING.value
            template, variant = _demo_template(lead["id"], step.channel, number)
            row = {"channel": step.channel, "outcome": "sent", "note": "", "step": number}
            row |= {"template": template, "variant": variant}
            rows.append({"lead_id": lead["id"], "rep": rep, "at": iso(at), **row, "undone": 0})
            if code in _ENDS_HISTORY:  # where a dial would have ended it (same draws after)
                break
            continue
        current = LeadState(LeadStatus(lead["status"]), bool(lead["bad_number"]))
        lead["attempts"] += 1
        after = state_after(
            current,
            OUTCOME_BY_CODE[code],
            attempts=lead["steps_done"],
            max_attempts=settings.max_attempts,
        )
        lead["status"], lead["bad_number"] = after.status.value, int(after.bad_number)
        lead["first_call_at"] = lead["first_call_at"] or iso(at)
        rows.append(
            {
                "lead_id": lead["id"],
                "rep": rep,
                "at": iso(at),
                "channel": "call",
                "outcome": code,
                "note": note,
                "step": None,
                **_demo_script(lead["id"], code, lead["attempts"]),
                "undone": 0,
            }
        )
        if after.status.value in ("do-not-call", "qualified") or after.bad_number:
            break
    _demo_reply(lead, rows, now)
    return rows


def _demo_script(lead_id: int, code: str, attempt: int) -> dict[str, Any]:
    """The script a demo dial recorded: a third of the leads were called with the script pane
    open (the voicemail script for a voicemail, else the call script), chosen by lead id so the
    random draws stay the same."""
    if lead_id % 3:
        return {"template": None, "variant": None}
    if code == "voicemail":
        return {
            "template": "voicemail-first" if attempt == 1 else "voicemail-later",
            "variant": None,
        }
    return {"template": "call-script", "variant": None}


def _demo_reply(lead: dict[str, Any], rows: list[dict[str, Any]], now: datetime) -> None:
    """About one in seven demo leads whose history ends with a message sent replied to it some
    hours later: a `replied` touch naming that template and variant, which ends the sequence
    (services/cadence.py), as `callblock log --outcome replied` does. Chosen by lead id."""
    last = rows[-1] if rows else None
    if last is None or last["outcome"] != "sent" or lead["id"] % 7 != 1:
        return
    at = parse_iso(last["at"]) + timedelta(hours=2 + lead["id"] % 30)
    if at > now - timedelta(hours=1):
        return
    rows.append(last | {"outcome": "replied", "at": iso(at), "step": None, "note": ""})
    lead["last_touch_at"] = iso(at)


def _calling_moment(rng: random.Random, created: datetime, now: datetime, zone: Any) -> datetime:
    """A weekday moment between 08:00 and 20:00 at the lead's end, after it arrived and at least
    an hour before now (or just after arrival, when nothing else fits)."""
    for _ in range(20):
        span = max((now - created).total_seconds() - 3600, 120)
        moment = created + timedelta(seconds=rng.uniform(60, span))
        local = moment.astimezone(zone)
        if local.weekday() < 5 and 8 <= local.hour < 20:
            return moment.replace(microsecond=0)
    return (created + timedelta(minutes=1)).replace(microsecond=0)


def _touch_note(rng: random.Random, code: str) -> str:
    notes = {
        "connected": ("Interested, wants pricing", "Asked about integrations", "Busy quarter"),
        "gatekeeper": ("Assistant took a message", "Front desk: try after 4pm"),
        "not-interested": ("Happy with current vendor", "No budget this year"),
        "voicemail": ("Left VM about the webinar", ""),
    }
    return rng.choice(notes.get(code, ("",)))


def _notes(rng: random.Random, name: str, company: str) -> str:
    template = rng.choice(NOTE_TEMPLATES)
    return template.format(
        company=company,
        name=name,
        size=rng.choice((12, 45, 120, 800, 3500)),
        stage=rng.choice(("bootstrapped", "Series A", "Series B", "public")),
        tool=rng.choice(("spreadsheets", "HubSpot", "Salesforce", "a homegrown CRM")),
        month=rng.choice(("January", "March", "June", "September")),
        source=rng.choice(("webinar signup", "pricing page", "referral", "trade show")),
        pain=rng.choice(("Reps lose track of callbacks", "Low connect rates", "Manual dialing")),
        boss=rng.choice(("CEO", "COO", "VP Sales")),
        domain=company.lower().replace(" ", "") + ".example",
    )
