"""Templates in the domain (issue 11): every refusal, fallbacks, the sandbox, the caps, the
salutation warnings, the file format and `templates check`."""

from __future__ import annotations

import pytest

from callblock.domain import templates as domain
from callblock.domain.models import Template, TemplateChannel
from callblock.domain.template_checks import check_templates
from callblock.domain.template_files import format_file, parse_file, record_problems
from callblock.domain.templates import (
    MERGE_FIELDS,
    TemplateRefused,
    render,
    template_fields,
    template_problems,
)

VALUES = {
    "first_name": "Jim",
    "last_name": "Brodo",
    "company": "Brodo Inc",
    "title": "VP Sales",
    "interest": "the pricing guide",
    "pronunciation": "BROH-doh",
    "rep.name": "alice",
    "rep.phone": "+1 212 555 0100",
    "rep.email": "alice@example.com",
    "weekday": "Thursday",
}


def email(body: str, subject: str = "Hello", name: str = "t1") -> Template:
    return Template(name, TemplateChannel.EMAIL, body, step=2, subject=subject)


def refused(template: Template, values: dict, lead_id: int = 42) -> list[str]:
    with pytest.raises(TemplateRefused) as caught:
        render(template, values, lead_id=lead_id)
    return caught.value.problems


# the fields -------------------------------------------------------------------------------------
def test_the_merge_fields_are_exactly_the_issues() -> None:
    assert MERGE_FIELDS == (
        "first_name",
        "last_name",
        "company",
        "title",
        "interest",
        "pronunciation",
        "rep.name",
        "rep.phone",
        "rep.email",
        "weekday",
    )


def test_every_field_renders() -> None:
    body = " ".join("{{ " + field + " }}" for field in MERGE_FIELDS)
    out = render(email(body), VALUES, lead_id=1)
    assert out.body == " ".join(VALUES[field] for field in MERGE_FIELDS)
    assert template_fields("", body) == list(MERGE_FIELDS)


def test_fields_are_listed_from_subject_and_body_in_the_fixed_order() -> None:
    fields = template_fields("About {{ interest }}", "{{ rep.phone }} {{ first_name | upper }}")
    assert fields == ["first_name", "interest", "rep.phone"]


# save time: unknown fields, syntax, constructs, each naming the line ---------------------------
def test_an_unknown_field_is_refused_at_save_naming_field_and_line() -> None:
    problems = template_problems("", "Hi {{ first_name }},\n\nAbout {{ frist_name }}.")
    assert problems == ["line 3: unknown field 'frist_name' (did you mean first_name?)"]
    problems = template_problems("{{ rep.mobile }}", "ok")
    assert problems == ["subject: unknown field 'rep.mobile' (did you mean rep.email?)"]


def test_a_syntax_error_names_its_line() -> None:
    (problem,) = template_problems("", "Hi,\n\n{{ first_name \nBye")
    assert problem.startswith("line 3: ") or problem.startswith("line 4: "), problem
    assert "template syntax" in problem


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{{ ''.__class__ }}", "'__class__' is not a merge field"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed"),
        ("{{ first_name.__class__ }}", "'__class__' is not a merge field"),
        ("{{ rep.__init__ }}", "unknown field 'rep.__init__'"),
        ("{{ rep.items() }}", "calling a function is not allowed"),
        ("{{ range(10) }}", "calling a function is not allowed"),
        ("{{ lipsum }}", "unknown field 'lipsum'"),
        ("{{ rep }}", "rep alone is not a field"),
        ("{% for x in company %}{{ x }}{% endfor %}", "{% for %} is not allowed"),
        ("{% set first_name = 'x' %}", "{% set %} is not allowed"),
        ("{% include 'x' %}", "{% include %} is not allowed"),
        ("{% macro m() %}x{% endmacro %}", "{% macro %} is not allowed"),
        ("{{ 'x' * 1000000000 }}", "arithmetic is not allowed"),
        ("{{ 9 ** 9 ** 9 }}", "arithmetic is not allowed"),
        ("{{ '%999999999s' % company }}", "arithmetic is not allowed"),
        ("{{ company | center(1000000000) }}", "the filter 'center' is not allowed"),
        ("{{ company | attr('__class__') }}", "the filter 'attr' is not allowed"),
        ("{{ company[0] }}", "[...] lookup is not allowed"),
        ("{{ company is sameas company }}", "the test 'sameas' is not allowed"),
    ],
)
def test_the_sandbox_walk_refuses_everything_but_fields(body: str, words: str) -> None:
    problems = template_problems("", body)
    assert any(words in problem for problem in problems), problems
    with pytest.raises(TemplateRefused):  # and a stored one that bypassed the save is refused
        render(email(body), VALUES, lead_id=1)


def test_the_sandbox_itself_blocks_attribute_escapes() -> None:
    """Behind the walk, the environment is Jinja's immutable sandbox with no globals."""
    from jinja2.exceptions import SecurityError

    from callblock.domain.template_syntax import environment

    env = environment()
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__.__mro__ }}").render()
    with pytest.raises(SecurityError):
        env.from_string("{{ rep.clear() }}").render(rep={"name": "x"})
    assert env.globals == {}
    assert env.autoescape is False


@pytest.mark.parametrize(
    "body",
    [
        "Dear {Add first name} Jim,",
        "Hi [[FirstName]],",
        "Hi ${first_name},",
        "Hi *|FNAME|*,",
        "Hi {first_name},",
        "{% raw %}{{ first_name }}{% endraw %}",
        "Hi {{ first_name | default('{name}') }}",
    ],
)
def test_a_placeholder_in_the_text_is_refused_at_save(body: str) -> None:
    problems = template_problems("", "Hello,\n" + body)
    assert problems and all(p.startswith("line 2: ") for p in problems), problems
    assert "would go out as typed" in problems[0]


def test_control_characters_and_tabs_are_refused_at_save() -> None:
    problems = template_problems("", "a\n\tb\nc\x1b[31m\n{{ '\\x1b]52;c;eA==\\x07' }}")
    assert problems == [
        "line 2: a tab (use spaces)",
        "line 3: a control character (U+001B)",
        "line 4: a control character (U+001B)",
        "line 4: a control character (U+0007)",
    ]


def test_a_subject_is_one_line_and_a_body_not_empty() -> None:
    assert template_problems("a\nb", "x") == ["subject: one line only"]
    assert template_problems("", "  \n ") == ["the body is empty"]


# render time: missing values, fallbacks ---------------------------------------------------------
def test_a_missing_field_refuses_naming_field_and_lead() -> None:
    values = {**VALUES, "first_name": ""}
    assert refused(email("Hi {{ first_name }},\n\nx"), values) == [
        "lead 42 has no first name: add it, or give the template a fallback"
    ]


def test_every_missing_field_is_named_at_once() -> None:
    values = {**VALUES, "first_name": " ", "interest": "", "rep.phone": ""}
    body = "Hi {{ first_name }}, re {{ interest }}. Call {{ rep.phone }}."
    assert refused(email(body), values) == [
        "lead 42 has no first name: add it, or give the template a fallback",
        "lead 42 has no interest: add it, or give the template a fallback",
        "rep alice has no phone number (team add-rep --phone): add it, or give the template a "
        "fallback",
    ]


def test_a_missing_field_in_the_subject_refuses_too() -> None:
    values = {**VALUES, "interest": ""}
    assert refused(email("x", subject="{{ interest }}"), values) == [
        "lead 42 has no interest: add it, or give the template a fallback"
    ]


@pytest.mark.parametrize(
    "body",
    [
        '{{ first_name | default("there") }}',
        '{{ first_name | d("there") }}',
        '{{ first_name | default("there", true) }}',
        '{{ first_name | default("there", boolean=true) }}',
        "{% if first_name is defined %}{{ first_name }}{% else %}there{% endif %}",
    ],
)
def test_a_fallback_covers_a_missing_or_empty_value(body: str) -> None:
    for value in ("", "   ", None):
        values = {**VALUES, "first_name": value}
        assert render(email("Hi " + body + ","), values, lead_id=1).body == "Hi there,"
    assert render(email("Hi " + body + ","), VALUES, lead_id=1).body == "Hi Jim,"


def test_a_fallback_that_is_itself_missing_refuses() -> None:
    values = {**VALUES, "first_name": "", "company": ""}
    assert refused(email("Hi {{ first_name | default(company) }},"), values) == [
        "lead 42 has no company: add it, or give the template a fallback"
    ]


def test_values_are_cleaned_to_one_line() -> None:
    values = {**VALUES, "company": "Acme\nBcc: x@evil.example\x1b[31m", "title": "[bold]X[/]"}
    out = render(email("{{ company }} / {{ title }}", subject="{{ company }}"), values, lead_id=1)
    assert "\n" not in out.subject and "\x1b" not in out.subject + out.body
    assert out.body == "Acme Bcc: x@evil.example\ufffd[31m / [bold]X[/]"


# what never goes out ----------------------------------------------------------------------------
def test_a_value_that_looks_like_a_merge_code_refuses_naming_it() -> None:
    values = {**VALUES, "first_name": "{Add first name} Jim"}
    assert refused(email("Dear {{ first_name }},"), values) == [
        "lead 42's first name holds '{Add first name}', which looks like a merge code: "
        "correct the lead"
    ]
    for bad in ("{{ x }}", "[[FirstName]]", "{% if %}", "${name}"):
        assert refused(email("x {{ company }}"), {**VALUES, "company": bad})


def test_a_value_unused_by_the_template_does_not_matter() -> None:
    values = {**VALUES, "company": "{{ broken }}"}
    assert render(email("Hi {{ first_name }},"), values, lead_id=1).body == "Hi Jim,"


def test_a_placeholder_made_of_value_and_text_is_still_caught() -> None:
    values = {**VALUES, "title": "{"}
    problems = refused(email("Hi {{ title }}name}"), values)
    assert problems == ["the body for lead 42 would hold '{name}': not sent"]


@pytest.mark.parametrize(
    "body",
    [
        'Dear {{ first_name | default("") }},',
        'Hi {{ first_name | default("") }},',
        'Hello {{ first_name | default("") }}!',
        'Dear {{ first_name | default("") }}\n\nThanks.',
        'x\n  hey {{ first_name | default("") }} ,',
    ],
)
def test_an_empty_salutation_is_refused(body: str) -> None:
    values = {**VALUES, "first_name": ""}
    (problem,) = refused(email(body), values)
    assert "has an empty salutation" in problem and 'default("there")' in problem


def test_a_greeting_without_a_name_by_design_is_fine() -> None:
    out = render(email("Hi,\n\nHello there!\nHi team, and Dear Sir."), VALUES, lead_id=1)
    assert out.body.startswith("Hi,")


def test_the_output_size_is_capped() -> None:
    values = {**VALUES, "company": "c" * 500}
    body = "{{ company | replace('', '" + "y" * 100 + "') }}"
    assert refused(email(body), values) == ["the rendered text is over 20 KB"]


def test_the_render_time_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domain, "RENDER_SECONDS", -1.0)  # any render is over time
    assert refused(email("Hi {{ first_name }},"), VALUES) == ["rendering took over -1.0 s"]


def test_a_long_body_is_refused_at_save() -> None:
    (problem,) = template_problems("", "x" * 20_001)
    assert problem == "the body is 20001 characters (at most 20000)"


# warnings ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("first", "what"),
    [
        ("JIM", "is all capitals"),
        ("Jim2", "contains digits"),
        ("jim@brodo.com", "contains @"),
        ("Brodo Inc", "is the company's name"),
        ("J.", "is a single letter"),
    ],
)
def test_a_first_name_that_looks_wrong_renders_with_a_warning(first: str, what: str) -> None:
    out = render(email("Hi {{ first_name }},"), {**VALUES, "first_name": first}, lead_id=7)
    assert out.body == f"Hi {first},"
    assert any(f"lead 7's first name {first!r} {what}" in w for w in out.warnings), out.warnings


def test_no_warning_for_a_plain_name_or_an_unused_one() -> None:
    assert render(email("Hi {{ first_name }},"), VALUES, lead_id=1).warnings == ()
    values = {**VALUES, "first_name": "JIM"}
    assert render(email("Hi {{ company }},"), values, lead_id=1).warnings == ()


# the file format and the record rules -----------------------------------------------------------
def test_a_file_round_trips() -> None:
    template = Template(
        "email-2a", TemplateChannel.EMAIL, "Hi {{ first_name }},\n\nx", 2, "A", "About"
    )
    again, problems = parse_file("email-2a", format_file(template))
    assert problems == [] and again == template


def test_a_file_names_the_line_of_each_problem() -> None:
    text = "channel: email\nstep: 2\nvariant: ab\n\nHi {{ first_name }},\n\n{{ frist_name }}\n"
    template, problems = parse_file("x", text)
    assert template is None
    assert problems == [
        "line 3: variant: 'AB' is not one letter A-Z",
        "subject: an email needs one",
        "line 7: unknown field 'frist_name' (did you mean first_name?)",
    ]


def test_a_file_with_a_bad_header() -> None:
    _, problems = parse_file("x", "chanel: email\nstep: two\n\nbody")
    assert any(p.startswith("line 1: 'chanel: email' is not a header line") for p in problems)
    assert any(p.startswith("line 2: step 'two' is not a whole number") for p in problems)
    _, problems = parse_file("x", "channel: fax\n\nbody")
    assert problems[0].startswith("line 1: channel 'fax' is not one of call-script")
    _, problems = parse_file("x", "channel: sms")
    assert problems == ["no blank line after the header: the body is missing"]


def test_record_rules() -> None:
    assert record_problems(Template("a b", TemplateChannel.SMS, "x"))[0].startswith("name: ")
    assert record_problems(Template("a", TemplateChannel.SMS, "x", step=0)) == [
        "step: 0 is outside 1..100"
    ]
    assert record_problems(Template("a", TemplateChannel.SMS, "x", subject="s")) == [
        "subject: only an email has one, not a sms"
    ]


# templates check --------------------------------------------------------------------------------
def vm(body: str, name: str = "vm", step: int | None = 1) -> Template:
    return Template(name, TemplateChannel.VOICEMAIL, body, step=step)


def test_check_flags_a_voicemail_without_name_company_and_number() -> None:
    (finding,) = check_templates([vm("Hi, this is Mike from XYZ about {{ company }}")])
    assert finding.check == "voicemail"
    assert "who you are (rep.name)" in finding.message
    assert "the call-back number (rep.phone)" in finding.message
    assert "the company" not in finding.message
    good = vm("Hi, {{ rep.name }} for {{ company }}, call {{ rep.phone }}")
    assert check_templates([good]) == []


def test_check_flags_no_reference_to_the_lead() -> None:
    generic = email("Hi {{ first_name }}, just checking in.", name="generic")
    (finding,) = check_templates([generic])
    assert (finding.template, finding.check) == ("generic", "no-reference")
    assert check_templates([email("Hi, about {{ interest }}.")]) == []
    sms = Template("sms", TemplateChannel.SMS, "Just checking in", step=3)
    assert check_templates([sms]) == []  # only voicemail and email must reference the lead


def test_check_flags_two_steps_of_one_channel_that_are_alike() -> None:
    body = "Hi {{ first_name }}, following up on {{ interest }} for {{ company }}. Any news?"
    one = Template("e2", TemplateChannel.EMAIL, body, step=2, subject="s")
    two = Template("e6", TemplateChannel.EMAIL, body.replace("Any news?", "Any news."), 6, "", "s")
    (finding,) = check_templates([one, two])
    assert finding.check == "alike" and "e6 (step 6)" in finding.message
    variant = Template("e2b", TemplateChannel.EMAIL, body, step=2, variant="B", subject="s")
    assert check_templates([one, variant]) == []  # A/B variants of one step may be alike
    other = Template("vm6", TemplateChannel.SMS, body, step=6)
    assert [f.check for f in check_templates([one, other])] == []
    different = Template("e6", TemplateChannel.EMAIL, "Closing your file on {{ company }}.", 6)
    assert check_templates([one, different]) == []


def test_check_reports_a_broken_template() -> None:
    (finding,) = check_templates([email("{{ oops }} {{ interest }}")])
    assert finding.check == "broken" and "unknown field 'oops'" in finding.message


def test_the_demo_set_is_clean_and_renders_for_a_bare_lead() -> None:
    from callblock.services.demo_templates import DEMO_TEMPLATES

    assert check_templates(list(DEMO_TEMPLATES)) == []
    bare = {"company": "Acme", "rep.name": "alice", "weekday": "Monday"}
    for template in DEMO_TEMPLATES:
        out = render(template, bare, lead_id=1)
        assert out.body and "{" not in out.body, template.name
    channels = sorted((t.channel.value, t.step or 0, t.variant) for t in DEMO_TEMPLATES)
    assert channels == sorted(
        [
            ("call-script", 0, ""),
            ("voicemail", 1, ""),
            ("voicemail", 0, ""),
            ("email", 2, "A"),
            ("email", 2, "B"),
            ("linkedin", 4, ""),
            ("email", 6, ""),
            ("email", 8, ""),
        ]
    )


@pytest.mark.parametrize(
    "body",
    [
        "{{ " + "(" * 3000 + "company" + ")" * 3000 + " }}",
        "{{ " + "not " * 3000 + "company }}",
        "{% if company %}" * 300 + "x" + "{% endif %}" * 300,
        "{{ company" + " | upper" * 1000 + " }}",
    ],
)
def test_a_template_nested_thousands_deep_is_refused_not_a_crash(body: str) -> None:
    problems = template_problems("", body)
    assert any("nested too deeply" in problem for problem in problems), problems
    with pytest.raises(TemplateRefused):
        render(email(body), VALUES, lead_id=1)


@pytest.mark.parametrize("start", ["company", "'abcd'"])
def test_nested_replaces_are_refused_before_they_fill_the_memory(start: str) -> None:
    """Each replace('', ten characters) multiplies the text by eleven: a dozen of them asked
    for terabytes in one expression (one chunk, before the output cap looked) and the render
    died of MemoryError (or the machine swapped). Run under a 1 GB address-space cap."""
    import subprocess
    import sys

    body = "Hi {{ first_name }}, {{ " + start + "|replace('', 'xxxxxxxxxx')" * 12 + " }}"
    assert template_problems("", body) == []  # it may be saved: the render must hold
    code = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from callblock.domain.models import Template, TemplateChannel\n"
        "from callblock.domain.templates import TemplateRefused, render\n"
        f"t = Template('t1', TemplateChannel.EMAIL, {body!r})\n"
        "try:\n"
        "    render(t, {'first_name': 'Jim', 'company': 'Acme'}, lead_id=1)\n"
        "except TemplateRefused as refusal:\n"
        "    print(refusal.problems)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "['the rendered text is over 20 KB']"


@pytest.mark.parametrize(
    "body",
    [
        "Hi {{ company | truncate(1) }}",  # jinja asserts length >= len(end): AssertionError
        'Hi {{ company | truncate(2, false, "...") }}',
    ],
)
def test_a_filter_that_fails_inside_jinja_is_a_refusal_not_a_crash(body: str) -> None:
    """The template saves (its text is fine), but jinja's truncate raised AssertionError at
    render: not a TemplateRefused, so `render` and `send` ended in an internal error and the
    Tasks screen and the script pane (which catch TemplateRefused) took the app down."""
    assert template_problems("", body) == []
    (problem,) = refused(email(body), VALUES)
    assert problem.startswith("cannot be rendered: expected length >= 3, got ")
