"""Nicknames from the `nicknames` package's dataset (not a hand-written table): pairs it knows
are one person's names, ambiguous nicknames never make two formal names one person."""

from __future__ import annotations

import subprocess
import sys

import pytest

from callblock.domain.dedupe import Verdict, compare, find_pairs, match_keys
from callblock.domain.entries import SearchEntry
from callblock.domain.nicknames import first_name_forms, is_nickname_pair
from callblock.domain.search import SearchIndex

PHONE = "+12125550143"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("jim", "james"),
        ("bob", "robert"),
        ("bill", "william"),
        ("liz", "elizabeth"),
        ("bess", "elizabeth"),  # not in the old 87-name table
        ("sally", "sarah"),  # nor this
        ("peggy", "margaret"),
    ],
)
def test_the_datasets_pairs_are_nicknames(a: str, b: str) -> None:
    assert is_nickname_pair(a, b) and is_nickname_pair(b, a)
    assert b in first_name_forms(a) or a in first_name_forms(b)


@pytest.mark.parametrize(("a", "b"), [("james", "benjamin"), ("william", "fred"), ("ann", "ann")])
def test_names_that_only_share_an_ambiguous_nickname_are_not_a_pair(a: str, b: str) -> None:
    assert not is_nickname_pair(a, b)  # (jamie is a nickname of both James and Benjamin)


def test_a_nickname_from_the_dataset_merges_on_a_shared_phone() -> None:
    bess = match_keys("Bess Brodo", "Brodo Inc", PHONE, "")
    elizabeth = match_keys("Elizabeth Brodo", "Brodo, Inc.", PHONE, "")
    match = compare(bess, elizabeth)
    assert match is not None and match.verdict is Verdict.MERGE
    assert match.reason == "same phone, nickname Bess/Elizabeth"
    # and without a shared phone the blocks still bring them together, for review
    pairs = find_pairs(enumerate([match_keys("Bess Brodo", "Brodo Inc", "", ""), elizabeth]))
    assert [(a, b, m.verdict) for a, b, m in pairs] == [(0, 1, Verdict.REVIEW)]


def test_two_formal_names_sharing_a_nickname_are_two_people() -> None:
    james = match_keys("James Brodo", "Brodo Inc", PHONE, "")
    benjamin = match_keys("Benjamin Brodo", "Brodo Inc", PHONE, "")
    match = compare(james, benjamin)
    assert match is not None and match.verdict is Verdict.REVIEW  # a switchboard, not one person


def test_search_finds_a_lead_by_a_nickname_and_by_the_formal_name() -> None:
    index = SearchIndex(
        [
            SearchEntry(1, "Elizabeth Brodo", "Brodo Inc", "", ""),
            SearchEntry(2, "Bess Lee", "Initech", "", ""),
        ]
    )
    # an exact hit by either form ranks first (typo-tolerant ones follow at half score)
    assert index.search("bess brodo")[0].lead_id == 1
    assert index.search("elizabeth lee")[0].lead_id == 2
    assert {hit.lead_id for hit in index.search("bess")} == {1, 2}  # Bess, and Elizabeth


def test_the_datasets_are_read_only_when_first_needed() -> None:
    code = (
        "import sys, callblock.app, callblock.domain.dedupe, callblock.domain.search;"
        "import callblock.domain.regions, callblock.domain.import_rows;"
        "assert not {'nicknames', 'pycountry'} & set(sys.modules), 'imported at start';"
        "from callblock.domain.nicknames import is_nickname_pair;"
        "assert is_nickname_pair('jim', 'james') and 'nicknames' in sys.modules;"
        "from callblock.domain.regions import record_region;"
        "assert record_region('Ontario', 'Canada') == 'CA-ON';"
        "assert 'pycountry' not in sys.modules  # its ISO data files are read, not its objects"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
