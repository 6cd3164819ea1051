"""The demo database's templates: a realistic set for the demo's multi-channel schedule

    1 call now, 2 email +1h, 3 call +1d, 4 linkedin day 3, 5 call day 5, 6 email day 7,
    7 call day 14, 8 goodbye-email day 15

(steps are 1-based positions in it): a call script for every call, a voicemail for the first
call and one for the later ones, three follow-up emails (step 2 as an A/B pair, step 6), a
LinkedIn note and a goodbye email. Every one personal (the lead's interest, company or title),
every salutation with a fallback, so each renders for any demo lead and `templates check`
finds nothing.
"""

from __future__ import annotations

from datetime import datetime

from callblock.clock import iso
from callblock.domain.models import Template
from callblock.domain.models import TemplateChannel as Channel
from callblock.store import Store

HI = 'Hi {{ first_name | default("there") }},'
PHONE = '{{ rep.phone | default("the number on your caller ID") }}'
# A paragraph is one line (the screen and the mail client wrap it; a hard break goes ragged once
# a long company name is filled in): the backslashes below only wrap the source. trim_blocks
# drops the newline after a block tag, so a tag ending a line glues it to the next: a tag sits
# on a line of its own (the signature's `{%-` and blank line keep the phone on its own line).
SIGNATURE = """{{ rep.name | capitalize }}
Brightline
{%- if rep.phone is defined %}

{{ rep.phone }}{% endif %}"""

CALL_SCRIPT = """Today is {{ weekday }} where {{ company }} is.
{% if pronunciation is defined %}
Say the name right: {{ pronunciation }}.
{% endif %}


"Hi {{ first_name | default("there") }}, this is {{ rep.name | capitalize }} from Brightline.
{% if interest is defined %}
You asked about {{ interest }}, so I wanted to follow up personally.
{% else %}
You got in touch with us recently, so I wanted to follow up personally.
{% endif %}
Do you have two minutes?"

Discovery:
1. How does {{ company }} make sure every new lead gets a call back today?
2. As {{ title | default("the person in charge") }}, what would you change first?
3. Who else would be part of choosing a tool like this?

Close: offer a 20-minute demo this week; confirm the time by email while still on the call."""

NAME = "{{ rep.name | capitalize }}"
VOICEMAIL_FIRST = (
    HI
    + f""" this is {NAME} from Brightline, calling about \
{{{{ interest | default("the request you sent us") }}}} for {{{{ company }}}}. \
I have two ideas that could help your team reach new leads the same day, and I will send them by \
email as well. You can reach me at {PHONE}. \
Again, {NAME} from Brightline{{% if rep.phone is defined %}}, {{{{ rep.phone }}}}{{% endif %}}. \
Talk soon."""
)

VOICEMAIL_LATER = (
    HI
    + f""" {NAME} from Brightline once more. \
I sent a short note about how {{{{ company }}}} could answer inbound leads within five minutes, \
when the odds of a conversation are highest. If now is not the right time, tell me and I will \
stop calling. You can reach me at {PHONE}."""
)

EMAIL_2A = f"""{HI}

Thanks for your interest in {{{{ interest | default("Brightline") }}}}. I tried you by phone a \
little earlier; email may suit you better.

Teams like {{{{ company }}}} usually ask us two things first: how fast a new lead gets a call, and \
how many follow-ups happen before a rep gives up. I can show you both on your own numbers in \
20 minutes.

Would Thursday or Friday afternoon work?

{SIGNATURE}"""

EMAIL_2B = f"""{HI}

One question, since you asked about {{{{ interest | default("our call-block planner") }}}}: \
when a lead comes in at {{{{ company }}}}, who calls them, and how soon?

Most teams we meet answer "someone, within a day". The ones that answer "the owner, within \
five minutes" book far more meetings. If that gap sounds familiar, reply with a time that \
suits you and I will walk you through how they do it.

{SIGNATURE}"""

EMAIL_6 = f"""{HI}

I know a {{{{ title | default("busy role") }}}} gets more email than anyone can read, so just \
one thing: a sales team of eight like yours doubled its contact rate in six weeks by moving \
its calls to the hours leads actually pick up. The one-page write-up is yours if you want it.

Shall I send it over, or set up 15 minutes to go through it for {{{{ company }}}}?

{SIGNATURE}"""

LINKEDIN_NOTE = """Hi {{ first_name | default("there") }}, I called and emailed about \
{{ interest | default("your request") }} for {{ company }}. Happy to connect here in case \
that is easier. {{ rep.name | capitalize }}, Brightline"""

GOODBYE = f"""{HI}

I have tried a few times to reach you about {{{{ interest | default("your request") }}}} and \
have not heard back, so I will assume the timing is not right for {{{{ company }}}} and close \
your file for now.

If anything changes, reply to this email any time and I will pick it up from here. Thank you, \
and all the best.

{SIGNATURE}"""

DEMO_TEMPLATES = (
    Template("call-script", Channel.CALL_SCRIPT, CALL_SCRIPT),
    Template("voicemail-first", Channel.VOICEMAIL, VOICEMAIL_FIRST, step=1),
    Template("voicemail-later", Channel.VOICEMAIL, VOICEMAIL_LATER),
    Template(
        "email-2a",
        Channel.EMAIL,
        EMAIL_2A,
        step=2,
        variant="A",
        subject='Following up on {{ interest | default("your request") }}',
    ),
    Template(
        "email-2b",
        Channel.EMAIL,
        EMAIL_2B,
        step=2,
        variant="B",
        subject="Quick question about new leads at {{ company }}",
    ),
    Template("linkedin-4", Channel.LINKEDIN, LINKEDIN_NOTE, step=4),
    Template(
        "email-6",
        Channel.EMAIL,
        EMAIL_6,
        step=6,
        subject="A one-page idea for {{ company }}",
    ),
    Template(
        "goodbye-8",
        Channel.EMAIL,
        GOODBYE,
        step=8,
        subject="Should I close your file?",
    ),
)


def add_demo_templates(store: Store, now: datetime) -> int:
    """Write the demo's templates (checked like any other); returns how many."""
    from callblock.services.templates import checked_template

    store.templates.save_templates(
        [checked_template(t) for t in DEMO_TEMPLATES], at=iso(now), rep="demo"
    )
    return len(DEMO_TEMPLATES)
