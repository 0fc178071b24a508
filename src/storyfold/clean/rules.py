"""Line rules for the plain-text cleaner: what one line of a page looks like.

Everything here judges a single line (or, for comment threads, the shape of a
run of lines) from general signals of news pages: letter case, length,
terminal punctuation, credit and call-to-action phrasing.  No rule names an
outlet, a person or a page.  :mod:`storyfold.clean.text` puts the rules
together and decides with context (title, standfirst, body region).

Lengths are counted in *words*: whitespace tokens holding a letter or digit,
plus one word per two Chinese or Japanese characters (scripts written without
spaces).  The thresholds below come from what headlines, standfirsts and
prompts look like on news pages in general; after changing one, re-run
``tests/test_clean_text.py`` and ``bench/clean_text_quick.py`` and compare with
the figures quoted in :mod:`storyfold.clean.text`.

The phrase rules run on the lower-cased line, a few combined patterns per line
length class, which keeps the cleaner at a few hundred pages a second.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from storyfold.records import RemovedSpan

REASONS: frozenset[str] = frozenset(
    {
        "advertisement",
        "app-prompt",
        "byline",
        "call-to-action",
        "caption",
        "comments",
        "credit",
        "cross-promotion",
        "date",
        "duplicate",
        "legal",
        "markup",
        "navigation",
        "newsletter-prompt",
        "related-link",
        "ui-control",
        "video-label",
    }
)
"""Every reason a :class:`RemovedSpan` of the text cleaner can carry."""

# A headline has 4-20 words: fewer is a section label or a menu entry, more is
# prose (news headlines run 6-14 words; 20 leaves room for long ones).
HEADLINE_MIN_WORDS = 4
HEADLINE_MAX_WORDS = 20
# A standfirst is one headline-like sentence, typically 10-30 words; a longer
# line without a full stop is a body paragraph that lost its punctuation.
DEK_MAX_WORDS = 30
# Prompts, labels and calls to action are short; a line longer than this that
# happens to say "subscribe" or "download" is prose about subscribing.
PROMPT_MAX_WORDS = 15
# Legal notices and credit lines run to a sentence or two.
NOTICE_MAX_WORDS = 30
# Captions run to a few sentences; a longer line is a paragraph, even one that
# mentions a photographer.
CAPTION_MAX_WORDS = 60

# A line ending on an article or a conjunction is a sentence cut short (at a
# page break), not a headline.
_FRAGMENT_ENDS = frozenset({"a", "an", "the", "and", "or", "but", "of", "to", "that"})
# A token of symbols only: ``(?<!\S)[^\w\s]+(?!\S)``, written to begin with its
# character set (the lookbehind checks the character before the first one), so
# that the regex engine skips ahead to candidate characters instead of trying
# every position.
_PUNCT_TOKEN = re.compile(r"[^\w\s](?<!\S.)[^\w\s]*(?!\S)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_TERMINAL = frozenset(".!?…:;。！？．")
_CLOSERS = "\"'”’»)]*_ 」』）】"
_BULLET = re.compile(r"[•·▪►‣◦●○■□➤✓✔*-]\s")

_MD_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")

# An all-caps run: tokens whose letters are all upper case, with numbers and
# symbols such as "$" or "–" inside it.  Four such words and 16 letters make a
# shouted headline; fewer are acronyms in a sentence ("US, UK, EU and NATO").
_CAPS_RUN_MIN_WORDS = 4
_CAPS_RUN_MIN_LETTERS = 16
# Cheap pre-filter: a capital, then four tokens in a row without an ASCII
# lower-case letter.
_CAPS_HINT = re.compile(r"[A-ZÀ-ÞА-Я][^\sa-z]*\s+[^\sa-z]+\s+[^\sa-z]+\s+[^\sa-z]")
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’()[]:;,.!?«»…"


def _table(
    rules: Sequence[tuple[str, str]], word_start: bool = False
) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for many phrase rules; the group that matched names the reason.

    Rules that hold at the start of a line and rules that hold anywhere go in
    separate tables: the first is tried once per line (``match``), the second
    is searched, and an alternation mixing ``^`` branches is slow to search.
    With ``word_start`` every rule holds at the start of a word: the table puts
    one ``\\b`` in front of them all, which a search checks once per position
    instead of once per rule (twice as fast on the bench pages).
    """
    names = {f"r{i}": reason for i, (reason, _) in enumerate(rules)}
    pattern = "|".join(f"(?P<r{i}>{rule})" for i, (_, rule) in enumerate(rules))
    return re.compile(rf"\b(?:{pattern})" if word_start else pattern), names


# Rules at the start of a (lower-cased) line; "$" rules are whole-line labels.
_CREDIT = (
    r"\(?(?:additional |further )?(?:reporting|writing|editing|compiled|contributing|"
    r"research|translated|produced|edited|written|illustrations?|graphics?) by\b"
)
_RELATED = (
    r"(?:read more|related(?: stories| articles| content| coverage)?|see also|also read|"
    r"read also|more on this(?: story)?|recommended(?: for you)?|most (?:read|popular|viewed)|"
    r"trending(?: now)?|you may also like|more from|more stories|related video)\b\s*[:|>»-]"
)
_LEGAL_LEAD = r"copyright\b|©"
_LEAD_RULES, _LEAD_REASONS = _table(
    [
        (
            "advertisement",
            r"(?:advertisement|advertising|ads?|sponsored(?: content)?|paid (?:content|post)|"
            r"promoted(?: content)?|partner content|story continues below(?: this)? "
            r"(?:ad|advertisement)|article continues below(?: advertisement)?|"
            r"continue reading (?:the main story|below)|scroll to continue(?: with content)?)\W*$",
        ),
        (
            "ui-control",
            r"(?:skip to (?:main )?content|back to top|menu|search|close|open|share|print|"
            r"email|tweet|comments?|reply|previous|next|more|home|sign in|log in|log out|"
            r"toggle \w+|copy link|link copied|show comments|hide comments|expand|collapse|"
            r"loading\.*)\W*$",
        ),
        (
            "video-label",
            r"(?:video|watch|now playing|up next|play video)\b\s*[:|-]?"
            r"(?:.{0,120}\b\d{1,2}:\d{2})?$",
        ),
        ("credit", _CREDIT),
        ("legal", _LEGAL_LEAD),
        ("related-link", _RELATED),
        (
            # Imperatives that open a prompt; "Tap water ..." or "Download speeds
            # ..." open headlines, so most verbs need the prompt's next word.
            "call-to-action",
            r"(?:click|tap) (?:here|to|for|on|below)\b|(?:load|read|see|show|view|learn) more\b|"
            r"continue reading\b|sign (?:up|in)\b|log ?in\b|follow (?:us|@)|"
            r"(?:subscribe|download|register)"
            r"(?: (?:now|today|here|free|for free|to|for|the|our)\b|\W*$)|"
            r"share (?:this|on|via)\b|join (?:us|our|the conversation)\b|"
            r"(?:get|download|install) (?:the|our) .{0,40}\bapp(?:lication)?\b|"
            r"(?:watch|listen) (?:now|live|here)\b|(?:email|share|tweet|save)(?: this)?\W*$",
        ),
        (
            "newsletter-prompt",
            r"(?:stay|keep) (?:up to date|informed|on top|in the know|ahead|"
            r"(?:\w+ ){0,2}(?:the )?latest)\b|"
            r"(?:get|receive) (?:the )?(?:latest|breaking|daily|weekly|our)\b|newsletters?\W*$",
        ),
        ("app-prompt", r"get more (?:with|from|out of)\b"),
    ]
)
# Rules anywhere in a line, each at the start of a word (the tables add the
# ``\b`` in front).
_AFFILIATE = (
    r"we may (?:earn|receive|get) (?:a )?(?:small )?(?:commission|compensation|a share)\b|"
    r"affiliate links?\b"
)
_LEGAL = (
    r"all rights reserved\b|we use cookies\b|cookie (?:policy|settings)\b|"
    r"privacy (?:policy|notice)\b|terms (?:of|and) (?:use|service|conditions)\b"
)
_ANYWHERE_RULES, _ANYWHERE_REASONS = _table(
    [
        ("call-to-action", r"click here\b"),
        (
            "newsletter-prompt",
            r"(?:our|the|free|daily|weekly|morning|evening) (?:\w+ ){0,2}newsletters?\b|"
            r"newsletters? sign[- ]?up\b|email alerts?\b|"
            r"(?:breaking|instant) (?:news )?alerts?\b|"
            r"(?:to|in) your inbox\b",
        ),
        (
            "app-prompt",
            r"personali[sz]ed (?:news )?feed\b|stories that matter to you\b|open in app\b|"
            r"(?:app store|google play)\b",
        ),
        ("advertisement", _AFFILIATE),
        ("legal", _LEGAL),
    ],
    word_start=True,
)
# Longer lines are only notices: credits, legal lines, affiliate disclosures.
_NOTICE_LEAD, _NOTICE_LEAD_REASONS = _table(
    [("credit", _CREDIT), ("legal", _LEGAL_LEAD), ("related-link", _RELATED)]
)
_NOTICE_ANYWHERE, _NOTICE_ANYWHERE_REASONS = _table(
    [("advertisement", _AFFILIATE), ("legal", _LEGAL)], word_start=True
)
_SEPARATOR = re.compile(r"\s[|·•]\s")
_CTA = re.compile(r"\bclick\b|\btap\b|\bget the\b|\bdownload\b|\bsign up\b|\bsubscribe\b")

# Photo credits: "Photo: X", "(Photo by X)", a copyright sign before a name,
# stock agencies, "Name/AGENCY" credit tokens at the end of a caption.
_PHOTO_LABEL = re.compile(
    r"\b(?:photo|photograph|picture|image|illustration|graphic|file photo)s?"
    r"(?: credit)?\s*(?::|by\b)|\bcredit:|\bphotographer:|©|"
    r"\((?:photo|image|file|pictured)\b[^()]*\)|"
    r"\b(?:getty images|ap photo|shutterstock|istock|alamy|epa-efe|afp via getty)\b"
)


# Words one of which a photo credit holds: a plain search for them spares most
# lines the slower credit pattern.
def _photo_hint(low: str) -> bool:
    # Substring tests, cheaper than a regex of the same alternatives.
    return (
        "phot" in low
        or "pictur" in low
        or "image" in low
        or "illustr" in low
        or "graphic" in low
        or "credit" in low
        or "©" in low
        or "getty" in low
        or "shutterstock" in low
        or "istock" in low
        or "alamy" in low
        or "epa-efe" in low
    )


_CUE_HINTS = ("pictur", "seen", "(")
_SLASH_CREDIT = re.compile(r"[A-Z][\w'’.-]*/[A-Z][\w'’.-]*")
# Weaker cues, taken only on a line that does not end as a sentence: captions
# place people in the picture ("(left)"), or describe it ("pictured", "is
# seen") and date it, which tells them from a headline ("Inflation is seen
# easing").
_CAPTION_PLACE = re.compile(
    r"\((?:left|right|centre|center|top|bottom|l|r|c|front|back|second (?:left|right))\)"
)
_CAPTION_VERB = re.compile(r"\b(?:pictured|is seen|are seen|seen here)\b(?! as\b)")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_PAREN_TAIL = re.compile(r"^(?P<pre>.*\S)\s*\((?P<credit>[^()]{3,})\)$")
_LOWER_PARTICLES = frozenset({"of", "and", "the", "for", "in", "de", "du", "la", "van", "von"})

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    r"^(?:(?:first |last )?(?:published|updated|posted|modified)(?: on)?:?\s*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    rf"(?P<date>(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
    r"(?:,?\s*(?:at\s*)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[a-z]{2,5})?)?)"
    r"(?:\s*[|·-]\s*(?:updated|\d+ min(?:ute)?s? read).*)?$"
)
_DURATION = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")
_COUNTER = re.compile(r"^[^\w]*\d{0,3}(?:[,.]?\d{3})*[^\w]*$")
# A date line is metadata anywhere when it says so ("Published: ..."); a bare
# date is only metadata in a page's header (a list of events has many).
_DATE_LABEL = re.compile(r"^(?:first |last )?(?:published|updated|posted|modified)\b")
_BY = re.compile(r"^by\s+(?P<rest>[A-Z].*)$", re.IGNORECASE)
_BY_STOP = re.compile(
    r"\s*(?:,|\||·|\s-\s|\s–\s|(?<=[a-z])(?=(?:Published|Updated|Posted))|"
    r"\b(?:published|updated|posted)\b).*$",
    re.IGNORECASE,
)
_IN_PLACE = re.compile(r"^(?P<name>.+?)\s+in\s+(?P<place>.+)$")
_NAME_TOKEN = re.compile(r"^[A-Z][\w'’.-]*$")
_PLACE_TOKEN = re.compile(r"^(?:[A-Z][\w'’.-]*|\d[\d:.]*),?$")

# A commenter's name: one to three tokens, no sentence punctuation.
_NAME_LINE = re.compile(r"^[^\s.,;:!?\"“”()…]{1,30}(?: [^\s.,;:!?\"“”()…]{1,30}){0,2}$")
# A handle: one lower-case token ("stormcrow", "jsmith_72").  Product names and
# list headings, which also alternate with paragraphs, are capitalised.
_HANDLE = re.compile(r"^[a-z][^\s]*$")
# A comment runs for a few lines at most; a longer run of prose after a short
# line is an article section under its heading, not a comment.
_COMMENT_MAX_LINES = 6
# A page break repeats a line or two of print, never a page.
_OVERLAP_MAX_WORDS = 60
# Three commenters in a row are a thread, not a coincidence of short lines.
_COMMENT_MIN_PAIRS = 3


def count_words(text: str) -> int:
    """Whitespace tokens holding a letter or digit, plus one per two CJK characters."""
    n = len(text.split()) - len(_PUNCT_TOKEN.findall(text))
    if not text.isascii():
        n += len(_CJK.findall(text)) // 2
    return n


def ends_sentence(text: str) -> bool:
    """Whether a line ends with sentence punctuation (quotes and brackets looked through)."""
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


@dataclass(slots=True)
class Line:
    """One non-empty line of a page, with the shape features the rules read.

    The features are computed once, when the line is made: a pass asks for
    them many times over.
    """

    text: str
    reason: str | None = None
    words: int = field(init=False)
    ends: bool = field(init=False)
    """Ends with sentence punctuation."""
    bullet: bool = field(init=False)
    fragment: bool = field(init=False)
    """Ends on an article or a conjunction: a sentence cut short."""
    short: bool = field(init=False)
    """A label or menu entry: under four words and no sentence punctuation."""
    headline: bool = field(init=False)
    """Shaped like a headline: 4-20 words, not lower case at first, not a sentence."""
    dek: bool = field(init=False)
    """Shaped like a standfirst: a bullet, or a headline-like line of up to 30 words."""
    prose: bool = field(init=False)
    """A body paragraph: a sentence of some length, or a long run of words."""

    def __post_init__(self) -> None:
        text = self.text
        n = self.words = count_words(text)
        ends = self.ends = ends_sentence(text)
        bullet = self.bullet = bool(_BULLET.match(text))
        tail = text.rsplit(None, 1)[-1].lower() if text else ""
        fragment = self.fragment = tail in _FRAGMENT_ENDS
        self.short = n < HEADLINE_MIN_WORDS and not ends
        first = text.lstrip("\"'“‘«")[:1]
        self.headline = (
            HEADLINE_MIN_WORDS <= n <= HEADLINE_MAX_WORDS
            and not (ends or bullet or fragment)
            and first.isalnum()
            and not first.islower()
        )
        self.dek = bullet or (HEADLINE_MIN_WORDS <= n <= DEK_MAX_WORDS and not (ends or fragment))
        self.prose = n > DEK_MAX_WORDS or (n >= 8 and ends)

    def copy(self, reason: str | None = None) -> Line:
        """The same line with ``reason``, its features copied rather than computed again.

        Passes over a page re-read most lines; copying the fields is several
        times cheaper than ``Line(text)`` (and than ``copy.copy`` on slots).
        """
        new = object.__new__(Line)
        new.text = self.text
        new.reason = reason
        new.words = self.words
        new.ends = self.ends
        new.bullet = self.bullet
        new.fragment = self.fragment
        new.short = self.short
        new.headline = self.headline
        new.dek = self.dek
        new.prose = self.prose
        return new


def strip_markup(text: str) -> tuple[str, list[RemovedSpan]]:
    """Markdown links keep their text, bold markers go; each link is reported."""
    if "](" not in text and "**" not in text and "__" not in text:
        return text, []
    removed = [RemovedSpan(m.group(0), "markup") for m in _MD_LINK.finditer(text)]
    previous = None
    while previous != text:  # nested markup unwraps one level per round
        previous = text
        text = _MD_STRONG.sub(r"\2", _MD_LINK.sub(r"\1", text))
    return text, removed


def _caps_kind(token: str) -> int:
    """2: an all-caps word, 1: a number or symbol a caps run may hold, 0: neither."""
    letters = [c for c in token.strip(_EDGE_PUNCT) if c.isalpha()]
    if letters:
        return 2 if all(c.isupper() for c in letters) else 0
    return 1


def cut_caps_runs(text: str) -> tuple[str, list[RemovedSpan]]:
    """Cut shouted cross-promotion headlines and calls to action out of a line.

    A run is a maximal sequence of all-caps words, numbers and symbols; numbers
    and symbols leading a run belong to the text before it.  The run's reason is
    "call-to-action" when it reads as one, else "cross-promotion".
    """
    if not _CAPS_HINT.search(text):
        return text, []
    tokens = list(_TOKEN.finditer(text))
    kinds = [_caps_kind(t.group(0)) for t in tokens]
    cuts: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if kinds[i] != 2:
            i += 1
            continue
        j = i
        while j < len(tokens) and kinds[j]:
            j += 1
        caps = [tokens[k].group(0) for k in range(i, j) if kinds[k] == 2]
        letters = sum(c.isalpha() for word in caps for c in word)
        if len(caps) >= _CAPS_RUN_MIN_WORDS and letters >= _CAPS_RUN_MIN_LETTERS:
            cuts.append((tokens[i].start(), tokens[j - 1].end()))
        i = j
    if not cuts:
        return text, []
    removed: list[RemovedSpan] = []
    kept: list[str] = []
    last = 0
    for start, end in cuts:
        kept.append(text[last:start])
        span = text[start:end]
        reason = "call-to-action" if _CTA.search(span.lower()) else "cross-promotion"
        removed.append(RemovedSpan(span, reason))
        last = end
    kept.append(text[last:])
    return " ".join(" ".join(kept).split()), removed


def _is_caption(text: str, low: str) -> bool:
    if _photo_hint(low) and _PHOTO_LABEL.search(low):
        return True
    bare = text.rstrip(" )]")
    if (
        "/" in text
        and not ends_sentence(bare)
        and any(_SLASH_CREDIT.search(token) for token in text.split()[-6:])
    ):
        return True
    if text.endswith(")"):
        paren = _PAREN_TAIL.match(text)
        if paren and not ends_sentence(paren["pre"]) and count_words(paren["pre"]) >= 4:
            credit = paren["credit"].split()
            named = [w for w in credit if w.lower() not in _LOWER_PARTICLES]
            if "/" in paren["credit"] or (
                len(credit) >= 2 and named and all(w[:1].isupper() for w in named)
            ):
                return True
    if ends_sentence(bare) or not any(map(low.__contains__, _CUE_HINTS)):
        return False
    if _CAPTION_PLACE.search(low):
        return True
    return bool(_CAPTION_VERB.search(low) and _YEAR.search(text))


def line_reason(line: Line) -> str | None:
    """The reason a line is boilerplate whatever surrounds it, or None."""
    text, n = line.text, line.words
    if not (text[:1].isalpha() or any(c.isalpha() for c in text)):  # most start with one
        if _DURATION.match(text):
            return "video-label"
        if _COUNTER.match(text):
            return "ui-control"  # symbols, counters, page numbers
        return None  # dates, figures, table rows
    low = text.lower()
    if n <= PROMPT_MAX_WORDS:
        if low.startswith("by ") and byline_name(text):
            return "byline"
        if _DATE_LABEL.match(low) and _DATE.match(low):
            return "date"
        m = _LEAD_RULES.match(low)
        lead = _LEAD_REASONS[m.lastgroup] if m and m.lastgroup else None
        if lead and lead != "call-to-action":
            return lead
        m = _ANYWHERE_RULES.search(low)
        anywhere = _ANYWHERE_REASONS[m.lastgroup] if m and m.lastgroup else None
        if anywhere == "legal" and line.headline and not _SEPARATOR.search(text):
            anywhere = None  # a headline about a privacy policy, not a footer
        # "Sign up for our newsletter" is a call to action, more precisely a prompt.
        if anywhere in ("newsletter-prompt", "app-prompt") or (anywhere and not lead):
            return anywhere
        if lead:
            return lead
    elif n <= NOTICE_MAX_WORDS:
        m = _NOTICE_LEAD.match(low)
        if m and m.lastgroup:
            return _NOTICE_LEAD_REASONS[m.lastgroup]
        m = _NOTICE_ANYWHERE.search(low)
        if m and m.lastgroup:
            return _NOTICE_ANYWHERE_REASONS[m.lastgroup]
    if n <= CAPTION_MAX_WORDS and _is_caption(text, low):
        return "caption"
    return None


def published_date(text: str) -> str | None:
    """The date a date line gives ("Published: Jan 29, 2025" gives "Jan 29, 2025")."""
    low = text.lower()
    m = _DATE.match(low)
    if not m:
        return None
    # Lower-casing keeps offsets except for a few letters (e.g. "İ").
    return text[m.start("date") : m.end("date")] if len(low) == len(text) else m["date"]


def byline_name(text: str) -> str | None:
    """The author a "By Name" line names (up to eight words), or None."""
    m = _BY.match(text)
    if not m or count_words(text) > 8:
        return None
    name = _BY_STOP.sub("", m["rest"]).strip()
    tokens = name.split()
    if not tokens or len(tokens) > 6:
        return None
    named = [t for t in tokens if t.lower() not in _LOWER_PARTICLES]
    return name if named and all(t[:1].isupper() for t in named) else None


def placed_byline_name(text: str) -> str | None:
    """The author of a "Name Surname in City WHEN" line, or None.

    Only meaningful in a page's header, where a title-case phrase with " in "
    is a byline rather than a heading.
    """
    m = _IN_PLACE.match(text)
    if not m:
        return None
    name, place = m["name"].split(), m["place"].split()
    if not 2 <= len(name) <= 4 or not 1 <= len(place) <= 6:
        return None
    if all(_NAME_TOKEN.match(t) for t in name) and all(_PLACE_TOKEN.match(t) for t in place):
        return m["name"]
    return None


def _is_name_line(text: str) -> bool:
    return bool(_NAME_LINE.match(text)) and any(c.isalpha() for c in text)


def comment_thread_start(texts: Sequence[str]) -> int | None:
    """Where a reader comment thread that runs to the end of the text begins.

    A thread is a sequence of (name line, 1-6 comment lines) pairs, found by its
    shape walking back from the end.  It needs three pairs or more, and what
    sets commenters apart from the headings of a list article: at least two
    names that come back (people reply to each other), or at least two
    lower-case handles.
    """
    names: list[str] = []
    start: int | None = None
    i = len(texts) - 1
    while i >= 0:
        block = 0
        while i >= 0 and block < _COMMENT_MAX_LINES and not _is_name_line(texts[i]):
            block += 1
            i -= 1
        if block == 0 or i < 0 or not _is_name_line(texts[i]):
            break
        names.append(texts[i])
        start = i
        i -= 1
    if start is None or len(names) < _COMMENT_MIN_PAIRS:
        return None
    counts = Counter(names)
    repeated = sum(1 for count in counts.values() if count > 1)
    handles = sum(1 for name in counts if _HANDLE.match(name))
    return start if repeated >= 2 or handles >= 2 else None


def overlap_words(first: str, second: str, minimum: int = 4) -> int:
    """How many words end ``first`` and begin ``second`` (page-break repeats), or 0.

    A page break repeats at most a line of print, so only overlaps of up to
    ``_OVERLAP_MAX_WORDS`` words are looked for; that also bounds the work.
    """
    a, b = first.split()[-_OVERLAP_MAX_WORDS:], second.split()[:_OVERLAP_MAX_WORDS]
    for k in range(min(len(a), len(b)), minimum - 1, -1):
        if a[-k] == b[0] and a[-k:] == b[:k]:
            return k
    return 0
