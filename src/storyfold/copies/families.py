"""Copy families: which article is the original, and mending a family when
its original leaves the store."""

from __future__ import annotations

from typing import Protocol

from storyfold.records import Article, CopyKind, CopyLink
from storyfold.store.sqlite import StoredLink


class FamilyStore(Protocol):
    def article(self, article_id: str) -> Article | None: ...

    def copies_of(self, original: str) -> list[str]: ...

    def copy_link(self, article_id: str) -> StoredLink | None: ...

    def set_copy(self, link: CopyLink) -> None: ...

    def clear_copy(self, article_id: str) -> None: ...


def original_key(article: Article) -> tuple[bool, str, int]:
    """Sorts a family's articles original first: the earliest published, then
    undated ones, each in arrival order (first seen first)."""
    return (article.published is None, article.published or "", article.seen)


def kind_between(kind: str, a: Article, b: Article) -> CopyKind:
    """A link's kind after its original changed: a translation across two
    languages, else the kind it had (a translation between two articles of one
    language is a rewrite of the other)."""
    if a.lang and b.lang and a.lang != b.lang:
        return "translation"
    if kind in ("exact", "near", "rewrite"):
        return kind  # type: ignore[return-value]
    return "rewrite"


def reroot(store: FamilyStore, original: str) -> str | None:
    """Before ``original`` is deleted: its copies' new original is the next
    original of the family (``original_key``), and every other copy points
    to it.  Each link keeps its score and evidence, which describe the match
    with the deleted original.  Returns the new original, if any."""
    members = [a for c in store.copies_of(original) if (a := store.article(c)) is not None]
    if not members:
        return None
    root = min(members, key=original_key)
    store.clear_copy(root.id)
    for member in members:
        if member.id == root.id:
            continue
        held = store.copy_link(member.id)
        assert held is not None, "a copy of the original has a link"
        store.set_copy(
            CopyLink(
                member.id,
                root.id,
                kind_between(held.kind, member, root),
                held.score,
                tuple(held.evidence.items()),
            )
        )
    return root.id
