"""Common English nickname pairs, so "Jim Brodo" and "James Brodo" are seen as one person."""

from __future__ import annotations

# formal name: nicknames (lowercase, no accents)
_TABLE: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "gail"),
    "alexander": ("alex", "al", "sandy", "xander"),
    "alexandra": ("alex", "alexa", "sandra", "lexi"),
    "alfred": ("alf", "alfie"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant"),
    "barbara": ("barb", "babs", "barbie"),
    "benjamin": ("ben", "benny", "benji"),
    "catherine": ("cathy", "cat", "kate", "katie", "kathy", "katherine", "kathryn"),
    "charles": ("charlie", "chuck", "chas", "chaz"),
    "christina": ("tina", "christine", "chrissy"),
    "christopher": ("chris", "kit", "topher"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey"),
    "deborah": ("deb", "debbie", "debra"),
    "donald": ("don", "donny"),
    "dorothy": ("dot", "dottie", "dolly"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "elisa", "betsy", "libby"),
    "emily": ("em", "emmy"),
    "frances": ("fran", "frannie"),
    "francis": ("frank", "fran"),
    "frederick": ("fred", "freddy", "freddie"),
    "gerald": ("gerry", "jerry"),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "henry": ("hank", "harry", "hal"),
    "jacob": ("jake",),
    "james": ("jim", "jimmy", "jamie", "jimbo"),
    "jennifer": ("jen", "jenny", "jenn"),
    "jessica": ("jess", "jessie"),
    "john": ("jack", "johnny", "jon", "jonny"),
    "jonathan": ("jon", "jonny", "nathan"),
    "joseph": ("joe", "joey", "jo"),
    "joshua": ("josh",),
    "judith": ("judy", "jude"),
    "katherine": ("kate", "katie", "kathy", "kat", "kathryn", "catherine"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry", "laurie"),
    "leonard": ("leo", "len", "lenny"),
    "margaret": ("maggie", "meg", "peggy", "marge", "margie", "greta"),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mikey", "mick", "mickey"),
    "nicholas": ("nick", "nicky", "nico"),
    "pamela": ("pam",),
    "patricia": ("pat", "patty", "trish", "tricia"),
    "patrick": ("pat", "paddy"),
    "peter": ("pete",),
    "philip": ("phil", "pip"),
    "rebecca": ("becky", "becca", "beck"),
    "richard": ("rick", "rich", "dick", "ricky", "richie"),
    "robert": ("bob", "rob", "bobby", "robbie", "bert"),
    "ronald": ("ron", "ronnie"),
    "samantha": ("sam", "sammy"),
    "samuel": ("sam", "sammy"),
    "stephen": ("steve", "stevie", "steven"),
    "susan": ("sue", "susie", "suzy"),
    "theodore": ("ted", "teddy", "theo"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "vicki", "tori"),
    "william": ("bill", "will", "billy", "willy", "liam"),
    "zachary": ("zach", "zack"),
}

# A nickname shared by two names (pat: patricia, patrick) maps to the first one listed.
CANONICAL: dict[str, str] = {}
for _formal, _nicks in _TABLE.items():
    CANONICAL.setdefault(_formal, _formal)
    for _nick in _nicks:
        CANONICAL.setdefault(_nick, _formal)


def canonical_first_name(first: str) -> str:
    """The formal form of a (lowercase, accent-free) first name: jim -> james."""
    return CANONICAL.get(first, first)


def is_nickname_pair(a: str, b: str) -> bool:
    """True for two different spellings of one first name (jim, james)."""
    return a != b and canonical_first_name(a) == canonical_first_name(b)
