"""Copies: exact, near, rewritten and translated copies, linked to their original."""

from storyfold.copies.base import CopyFinder, CopyIndex, NoCopies
from storyfold.copies.finder import LayeredCopyFinder

__all__ = ["CopyFinder", "CopyIndex", "LayeredCopyFinder", "NoCopies"]
