"""English nicknames, so "Jim Brodo" and "James Brodo" are seen as one person.

The pairs come from the `nicknames` package (a curated dataset of ~1,000 English names and
their nicknames: 2,691 pairs), read on first use: ~40 ms once per process (mostly the
package's own import of importlib.metadata), never on the app's first frame, only when search
or an import's duplicate check first compares names.

The dataset is a graph, not a table of one formal name per nickname: "jamie" is a nickname of
James and of Benjamin, "al" of fourteen names. So two first names are one person's only when
the dataset pairs them directly (`is_nickname_pair`); sharing a nickname is not enough. For
finding candidates (dedupe's blocks, search) a name also stands for the formal names it is a
nickname of (`first_name_forms`).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _dataset() -> tuple[dict[str, tuple[str, ...]], dict[str, frozenset[str]]]:
    """(name -> the formal names it is a nickname of, name -> every name paired with it)."""
    import nicknames  # lazy: see the module's docstring

    formals: dict[str, set[str]] = {}
    paired: dict[str, set[str]] = {}
    for triplet in nicknames.name_triplets():
        formal, nick = triplet.name1.casefold(), triplet.name2.casefold()
        formals.setdefault(nick, set()).add(formal)
        paired.setdefault(formal, set()).add(nick)
        paired.setdefault(nick, set()).add(formal)
    return (
        {name: tuple(sorted(names)) for name, names in formals.items()},
        {name: frozenset(names) for name, names in paired.items()},
    )


def first_name_forms(first: str) -> tuple[str, ...]:
    """`first` (lowercase, accent-free) and the formal names it is a nickname of: jim ->
    (jim, james). A name the dataset does not know stands for itself."""
    return (first, *_dataset()[0].get(first, ()))


def is_nickname_pair(a: str, b: str) -> bool:
    """True for two different first names the dataset pairs directly (jim, james)."""
    return a != b and b in _dataset()[1].get(a, ())
