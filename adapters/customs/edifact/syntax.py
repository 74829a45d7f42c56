"""ISO 9735 service characters (UNA) and syntax levels (UNB 0001): how to cut and decode an interchange.

Facts used (ISO 9735 and code list 0001): UNA carries six characters in a fixed order (component separator,
data element separator, decimal mark, release character, repetition separator in syntax 4 or a reserved
space before, segment terminator); without UNA the defaults are ``:+.? '``, except level B (UNOB), whose
defaults are the information separators IS1, IS3 and IS4 and which has no release character. Each syntax
identifier names a repertoire: UNOA the level A set (upper case, digits, space and ``.,-()/='+:?!"%&*;<>``),
UNOB the same with lower case, UNOC..UNOK the ISO 8859 parts, UNOW UTF-8, UNOX ISO 2022 code extension
(read as ISO-2022-JP-2, the profile that extends to Japanese and Latin-1 by escape sequences), UNOY ISO 10646
without code extension (read as UTF-8, as EDIFACT software commonly does).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

UNA_LENGTH = 9  # "UNA" and its six characters


@dataclass(frozen=True, slots=True)
class ServiceCharacters:
    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    repetition: str | None = None
    terminator: str = "'"

    def separators(self) -> set[str]:
        """The characters that cut the text, which a release character makes data again."""
        return {c for c in (self.component, self.element, self.release, self.repetition, self.terminator) if c}


DEFAULT = ServiceCharacters()
LEVEL_B_DEFAULT = ServiceCharacters(component="\x1f", element="\x1d", release=None, terminator="\x1c")

_LEVEL_A = frozenset(string.ascii_uppercase + string.digits + " .,-()/='+:?!\"%&*;<>")
_LEVEL_B = _LEVEL_A | frozenset(string.ascii_lowercase)


@dataclass(frozen=True, slots=True)
class SyntaxLevel:
    """One syntax identifier: the codec its bytes are in and, for levels A and B, the only characters allowed."""

    identifier: str
    codec: str
    repertoire: frozenset[str] | None = None

    def allows(self, char: str) -> bool:
        if self.repertoire is not None:
            return char in self.repertoire
        code = ord(char)
        # no control characters in data whatever the set; surrogates are bytes the codec could not decode
        return code >= 0x20 and not 0x7F <= code <= 0x9F and not 0xD800 <= code <= 0xDFFF


LEVELS: dict[str, SyntaxLevel] = {
    level.identifier: level
    for level in (
        SyntaxLevel("UNOA", "ascii", _LEVEL_A),
        SyntaxLevel("UNOB", "ascii", _LEVEL_B),
        SyntaxLevel("UNOC", "iso8859-1"),
        SyntaxLevel("UNOD", "iso8859-2"),
        SyntaxLevel("UNOE", "iso8859-5"),
        SyntaxLevel("UNOF", "iso8859-7"),
        SyntaxLevel("UNOG", "iso8859-3"),
        SyntaxLevel("UNOH", "iso8859-4"),
        SyntaxLevel("UNOI", "iso8859-6"),
        SyntaxLevel("UNOJ", "iso8859-8"),
        SyntaxLevel("UNOK", "iso8859-9"),
        SyntaxLevel("UNOW", "utf-8"),
        SyntaxLevel("UNOX", "iso2022_jp_2"),
        SyntaxLevel("UNOY", "utf-8"),
    )
}


def parse_una(advice: str) -> tuple[ServiceCharacters | None, str | None]:
    """The characters a UNA declares, or why they cannot be used (a space as release or repetition
    character means "not used"; the decimal mark must be ``.`` or ``,``)."""
    if len(advice) < UNA_LENGTH:
        return None, "the service string advice (UNA) needs six characters after UNA"
    component, element, decimal, release, repetition, terminator = tuple(advice[3:UNA_LENGTH])
    chars = ServiceCharacters(
        component, element, decimal, None if release == " " else release, None if repetition == " " else repetition,
        terminator,
    )  # fmt: skip
    used = [c for c in (component, element, chars.release, chars.repetition, terminator) if c is not None]
    if len(set(used)) != len(used):
        return None, f"the service characters in UNA are not distinct: {advice[3:UNA_LENGTH]!r}"
    if decimal not in ".,":
        return None, f"the decimal mark in UNA is {decimal!r}; ISO 9735 allows '.' or ','"
    if any(c.isalnum() for c in used):
        return None, f"a letter or digit cannot be a service character: {advice[3:UNA_LENGTH]!r}"
    return chars, None
