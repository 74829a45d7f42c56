"""UN/EDIFACT for the customs adapter: our own interchange reader (any separators, groups, syntax levels,
precise problems) and pydifact's writer."""

from singlewindow.adapters.customs.edifact.model import (
    EdifactError,
    EdiMessage,
    EdiSegment,
    Interchange,
    element,
    joined,
    where,
)
from singlewindow.adapters.customs.edifact.reading import read, read_interchange
from singlewindow.adapters.customs.edifact.writing import segment, split_text, write

__all__ = [
    "EdiMessage",
    "EdiSegment",
    "EdifactError",
    "Interchange",
    "element",
    "joined",
    "read",
    "read_interchange",
    "segment",
    "split_text",
    "where",
    "write",
]
