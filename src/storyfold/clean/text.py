"""The default plain-text cleaner: general line rules, no per-site templates.

A news page copied as plain text is the article's lines mixed with the page's:
menus, ads, shouted cross-promotion headlines, photo captions, prompts to get
the app, related links, a byline, reader comments.  Without markup to go by,
:class:`RuleTextCleaner` tells them apart by the shape of each line (length,
letter case, terminal punctuation, credit and prompt phrasing) and of its
neighbourhood:

1. Each line is normalised (whitespace, markdown links and bold), all-caps
   runs of four words or more are cut out of it (cross-promotion headlines and
   calls to action, also inside one long single-line text), and the line is
   judged on its own by :func:`storyfold.clean.rules.line_reason`.
2. A reader comment thread at the end is found by its shape (short name lines,
   each followed by a few comment lines) and cut to the end.
3. The header: short labels before the first substantial line are navigation;
   that line is the title when it is shaped like a headline and more text
   follows; up to three headline-like lines or bullets after it are the
   standfirst (dek); a "Name in City" line there is the byline.  The body
   starts at the first line that reads as a sentence.  A page without that
   structure starts its body at its first prose paragraph.
4. In the body, lines are judged with their neighbours: a long headline
   between two prose paragraphs links another story, the same headline twice
   in a row is a video label, runs of three short capitalised labels are menus,
   runs of four headlines are link lists, long paragraphs said twice are
   duplicates, and the body does not end on a heading.
5. Paragraphs broken at a page break (no terminal punctuation, the next line
   continues in lower case or repeats the fragment) are joined again.

Every removed piece is reported as a :class:`RemovedSpan` whose reason is one of
:data:`storyfold.clean.rules.REASONS`; title and dek are metadata, not removals.

Cleaning is idempotent, ``clean(clean(x).body).body == clean(x).body``: removing
a line gives its neighbours new neighbours, so the pass is repeated on its own
body until nothing changes (articles settle in one pass, which the second
confirms).

On the plain-text renderings of real pages in ``shared/data/pages`` (word
4-gram shingles, precision and recall averaged per page, F1 from the averages,
``bench/clean_text_quick.py``), against no cleaning at all: scrapinghub 0.829
(0.672), WCXB dev articles 0.871 (0.809).  Re-run it after changing a rule or a
threshold here or in :mod:`storyfold.clean.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from storyfold.clean import rules
from storyfold.clean.rules import Line
from storyfold.records import Cleaned, RemovedSpan

# A standfirst is one to three lines; more headline-like lines under a title
# are a list or a menu, and the page has no headline structure we can read.
_DEK_MAX_LINES = 3
# Passes end at a fixed point: each one only removes, joins or shortens lines,
# so the body shrinks until it stays.  Articles settle in two passes (the second
# confirms the first); a page that is mostly menus peels off a layer per pass.
# Later passes reuse the lines already read and cost little.  The cap is a guard.
_MAX_PASSES = 50
# Menus are runs of short lines; two short lines in a row can be a subheading
# and a one-word list item, three are a menu.
_MENU_MIN_RUN = 3
# Link lists ("related", "most read") are runs of headlines with no sentence
# between them; an article's own list of three items does not make one.  (On
# the bench pages, 3 to 8 move F1 by under 0.02 either way: more catches more
# link lists and loses more of the articles' own lists.)
_LINKS_MIN_RUN = 4
# A headline alone between two paragraphs links another story when it is as
# long as a news headline (8-14 words); subheadings are shorter phrases.  (7
# costs article subheadings on the WCXB pages: F1 0.868 against 0.871 at 9.)
_RELATED_MIN_WORDS = 9
# A paragraph this long said twice is a page artefact; shorter lines (list
# items, refrains, "Step 1") legitimately repeat.
_DUPLICATE_MIN_WORDS = 15


@dataclass(slots=True)
class _Pass:
    """What one pass over a page has found besides the body."""

    title: str | None = None
    dek: str | None = None
    byline: str | None = None
    published: str | None = None
    removed: list[RemovedSpan] = field(default_factory=list)


class RuleTextCleaner:
    """Cleans the plain text of one news page with general line rules.

    >>> cleaned = RuleTextCleaner().clean(
    ...     "Advertisement\\nMinisters meet in Beijing to discuss trade ties\\n"
    ...     "The two ministers met on Monday. They discussed trade.\\nRead more"
    ... )
    >>> cleaned.title
    'Ministers meet in Beijing to discuss trade ties'
    >>> cleaned.body
    'The two ministers met on Monday. They discussed trade.'
    >>> [span.reason for span in cleaned.removed]
    ['advertisement', 'call-to-action']
    """

    def clean(self, text: str) -> Cleaned:
        result = _Pass()
        lines = _read_lines(text.splitlines(), result)
        body, merged = _clean_lines(lines, result)
        for _ in range(_MAX_PASSES - 1):
            # The next pass reads the body as clean() would read it: a kept
            # line reads the same again, a joined paragraph is read afresh.
            again = _Pass()
            reread = [
                _read_line(line.text, again) if joined else line
                for line, joined in zip(body, merged, strict=True)
            ]
            next_body, merged = _clean_lines([line for line in reread if line], again)
            result.removed.extend(again.removed)
            if [line.text for line in next_body] == [line.text for line in body]:
                break
            body = next_body
        text_body = "\n\n".join(line.text for line in body)
        if not text_body:
            text_body, result = _fallback_body(result)
        return Cleaned(
            body=text_body,
            title=result.title,
            dek=result.dek,
            byline=result.byline,
            published=result.published,
            removed=tuple(result.removed),
        )


# Rules that place a line by its position (furniture before the first sentence,
# a heading after the last) guess; when they leave no body, they guessed wrong.
_POSITIONAL = ("related-link", "navigation")


def _fallback_body(result: _Pass) -> tuple[str, _Pass]:
    """A page whose every line was judged metadata or furniture still has an
    article: a headline-only item, or one sentence under a headline.  Its body
    is the standfirst's longest line, else the title, else the longest line
    placed by position.
    """
    if result.dek:
        lines = result.dek.split("\n")
        longest = max(lines, key=len)
        rest = "\n".join(line for line in lines if line is not longest) or None
        return longest, _Pass(result.title, rest, result.byline, result.published, result.removed)
    if result.title:
        return result.title, result
    placed = [span for span in result.removed if span.reason in _POSITIONAL]
    if not placed:
        return "", result
    chosen = max(placed, key=lambda span: len(span.text))
    kept = [span for span in result.removed if span is not chosen]
    return chosen.text, _Pass(result.title, result.dek, result.byline, result.published, kept)


@dataclass(frozen=True, slots=True)
class RuleVerdicts:
    """One rule pass over a page, line by line: what the learned cleaner reads.

    ``lines`` are the page's non-empty lines, normalised and with shouted runs
    cut, each with the rules' ``reason`` (None: the rules keep it in the body;
    "title" and "dek" are header lines).  ``removed`` holds the inline spans cut
    out of lines and ``title``/``dek``/``byline``/``published`` what the header
    told.
    """

    lines: list[Line]
    inline: list[RemovedSpan]
    title: str | None
    dek: str | None
    byline: str | None
    published: str | None


def rule_verdicts(
    text: str, memo: dict[str, tuple[Line, str | None]] | None = None
) -> RuleVerdicts:
    """Run one pass of the rules over a page and keep each line's verdict.

    ``memo`` keeps each read line by its text, with the reason reading gave
    it (the line's own reason changes as it is judged in context): a later
    pass over the body reads its lines again from it instead of judging them
    anew (reading a line is a pure function of its text; the metadata a line
    gives is only taken from the first pass).
    """
    result = _Pass()
    if memo is None:
        lines = _read_lines(text.splitlines(), result)
    else:
        lines = []
        for raw in text.splitlines():
            known = memo.get(raw)
            if known is not None:
                lines.append(known[0].copy(known[1]))
                continue
            line = _read_line(raw, result)
            if line is not None:
                memo[line.text] = (line, line.reason)
                lines.append(line)
    inline = list(result.removed)
    _judge_lines(lines, result)  # the verdicts only: no spans, no joins
    return RuleVerdicts(lines, inline, result.title, result.dek, result.byline, result.published)


def join_breaks(paragraphs: list[Line]) -> tuple[list[Line], list[RemovedSpan]]:
    """Join paragraphs split at a page break (see :func:`_join_breaks`)."""
    result = _Pass()
    kept, _ = _join_breaks(paragraphs, result)
    return kept, result.removed


def _clean_lines(lines: list[Line], result: _Pass) -> tuple[list[Line], list[bool]]:
    """One pass over read lines: the body paragraphs, and which were joined."""
    body = _judge_lines(lines, result)
    _report(lines, result)
    return _join_breaks(body, result)


def _judge_lines(lines: list[Line], result: _Pass) -> list[Line]:
    """Give read lines their verdicts in context (comments, header, body); the body lines."""
    candidates = [line for line in lines if line.reason is None]
    _mark_comments(candidates)
    candidates = [line for line in candidates if line.reason is None]
    body_start = _read_header(candidates, result)
    body = [line for line in candidates[body_start:] if line.reason is None]
    _mark_body(body)
    return [line for line in body if line.reason is None]


def _read_lines(raw_lines: list[str], result: _Pass) -> list[Line]:
    """Read every non-empty line of a page."""
    lines = [_read_line(raw, result) for raw in raw_lines]
    return [line for line in lines if line]


def _read_line(raw: str, result: _Pass) -> Line | None:
    """Normalise one line, cut what it shouts, and judge it on its own.

    Returns None for a blank line or one that was only a shouted headline.
    """
    text = " ".join(raw.split())
    if not text:
        return None
    previous = None
    while previous != text:  # cutting can expose markup, and the other way round
        previous = text
        text, spans = rules.strip_markup(text)
        text, cut = rules.cut_caps_runs(text)
        result.removed.extend(spans)
        result.removed.extend(cut)
        if cut and not any(c.isalpha() for c in text):
            return None  # the whole line was a shouted headline, already reported
    line = Line(text)
    line.reason = rules.line_reason(line)
    if line.reason == "byline" and result.byline is None:
        result.byline = rules.byline_name(line.text)
    if line.reason == "date" and result.published is None:
        result.published = rules.published_date(line.text)
    return line


def _mark_comments(candidates: list[Line]) -> None:
    start = rules.comment_thread_start([line.text for line in candidates])
    if start is not None:
        for line in candidates[start:]:
            line.reason = "comments"


def _read_header(candidates: list[Line], result: _Pass) -> int:
    """Find title, standfirst, byline and date; return where the body starts."""
    n = len(candidates)
    first = 0
    while first < n and _header_label(candidates[first], result):
        first += 1
    if first >= n - 1 or not candidates[first].headline:
        return _first_prose(candidates, first)
    deks: list[Line] = []
    byline: tuple[Line, str] | None = None
    i = first + 1
    while i < n:
        line = candidates[i]
        name = None
        if not (line.short or byline or result.byline):
            name = rules.placed_byline_name(line.text)
        if name:
            byline = (line, name)
        elif line.dek and not rules.published_date(line.text):
            deks.append(line)
        elif not (line.short or rules.published_date(line.text)):
            break
        i += 1
    if len(deks) > _DEK_MAX_LINES:
        return _first_prose(candidates, first)
    title = candidates[first]
    result.title, title.reason = title.text, "title"
    result.dek = "\n".join(line.text for line in deks) or None
    if byline:
        byline[0].reason, result.byline = "byline", byline[1]
    for line in deks:
        line.reason = "dek"
    for line in candidates[first + 1 : i]:
        if line.reason is None:
            _header_label(line, result)
    folded = _fold(title.text)
    for line in candidates[i:]:
        if _may_fold_to(line.text, folded) and _fold(line.text) == folded:
            line.reason = "duplicate"  # the headline again, as pages often print it twice
    return i


def _first_prose(candidates: list[Line], start: int) -> int:
    """Where the body starts in a page without a headline structure we can read.

    The body starts at the first paragraph that reads as prose (or a sentence
    broken off at a page break); what precedes it on a page is page furniture:
    menus, teasers, labels.
    """
    n = len(candidates)
    for i in range(start, n):
        line = candidates[i]
        broken = line.fragment and i + 1 < n and candidates[i + 1].text[:1].islower()
        if line.prose or broken:
            for furniture in candidates[start:i]:
                furniture.reason = "navigation"
            return i
    return start


def _header_label(line: Line, result: _Pass) -> bool:
    """Mark a section label or a date line in the header; False for other lines."""
    date = rules.published_date(line.text)
    if date:
        line.reason = "date"
        result.published = result.published or date
    elif line.short:
        line.reason = "navigation"  # section labels such as "World" or "Politics"
    return line.reason is not None


def _mark_body(body: list[Line]) -> None:
    """Judge body lines with their neighbours (all from the same snapshot)."""
    n = len(body)
    seen: set[str] = set()
    for line in body:
        if line.words >= _DUPLICATE_MIN_WORDS:
            folded = _fold(line.text)
            if folded in seen:
                line.reason = "duplicate"
            seen.add(folded)
    for i, line in enumerate(body):
        if not line.headline:
            continue
        before = body[i - 1] if i > 0 else None
        after = body[i + 1] if i + 1 < n else None
        if (before and before.text == line.text) or (after and after.text == line.text):
            line.reason = "video-label"  # a video player prints its title twice
        elif before and after and before.prose and after.prose and line.words >= _RELATED_MIN_WORDS:
            line.reason = "related-link"
    for run in _runs(body, lambda line: line.short):
        # A menu is a run of capitalised labels; a run of figures or of
        # lower-case phrases is a table or a list in the article.
        capitals = sum(_capitalised(line) for line in run)
        if len(run) >= _MENU_MIN_RUN and 3 * capitals >= 2 * len(run):
            for line in run:
                line.reason = "navigation"
    for run in _runs(body, lambda line: line.headline and line.reason is None):
        if len(run) >= _LINKS_MIN_RUN:
            for line in run:
                line.reason = "related-link"
    # A body does not end on a heading or a label: what follows the last
    # sentence is page furniture.
    for line in reversed(body):
        if line.reason is not None:
            continue
        if line.ends or line.prose:
            break
        line.reason = "related-link" if line.headline else "navigation"


def _report(lines: list[Line], result: _Pass) -> None:
    """Add one span per removed line, and one for the whole comment thread."""
    thread = [line.text for line in lines if line.reason == "comments"]
    for line in lines:
        if line.reason in (None, "title", "dek", "comments"):
            continue
        result.removed.append(RemovedSpan(line.text, line.reason or ""))
    if thread:
        result.removed.append(RemovedSpan("\n".join(thread), "comments"))


def _join_breaks(paragraphs: list[Line], result: _Pass) -> tuple[list[Line], list[bool]]:
    """Join paragraphs split at a page break; drop a fragment the break repeated.

    A paragraph ends mid-sentence (no terminal punctuation, longer than a
    heading) and the next one continues it in lower case or begins by repeating
    its last words.  Returns the paragraphs and which of them were joined.
    """
    kept: list[Line] = []
    joined: list[bool] = []
    for line in paragraphs:
        previous = kept[-1] if kept else None
        if previous and not (previous.ends or previous.headline or previous.short):
            overlap = rules.overlap_words(previous.text, line.text)
            if overlap or line.text[:1].islower():
                tokens = line.text.split()
                if overlap:
                    result.removed.append(RemovedSpan(" ".join(tokens[:overlap]), "duplicate"))
                kept[-1] = Line(" ".join([previous.text, *tokens[overlap:]]))
                joined[-1] = True
                continue
        kept.append(line)
        joined.append(False)
    return kept, joined


def _runs(lines: list[Line], inside: Callable[[Line], bool]) -> Iterator[list[Line]]:
    """The maximal runs of consecutive lines for which ``inside`` holds."""
    run: list[Line] = []
    for line in lines:
        if inside(line):
            run.append(line)
        elif run:
            yield run
            run = []
    if run:
        yield run


def _capitalised(line: Line) -> bool:
    first = line.text[:1]
    return first.isalpha() and not first.islower()  # scripts without case count


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _may_fold_to(text: str, folded: str) -> bool:
    """False when ``_fold(text)`` cannot be ``folded``: its first letter differs.

    Case folding maps each character on its own (no context, never to
    whitespace), so ``_fold(text)`` starts with the folded first non-space
    character of ``text``.  Comparing that rejects most lines at a fraction of
    the cost of folding them.
    """
    return folded.startswith(text.lstrip()[:1].casefold())
