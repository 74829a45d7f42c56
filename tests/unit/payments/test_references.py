"""ISO 11649 creditor references against published examples, and what is refused."""

from __future__ import annotations

import pytest

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.payments.numbers import invoice_number
from singlewindow.platform.payments.references import (
    creditor_reference,
    format_reference,
    is_valid_reference,
    normalise_reference,
    parse_reference,
)

# Examples published with the standard and in its implementations' documentation.
PUBLISHED = [
    ("539007547034", "RF18539007547034"),  # the standard's own example
    ("1234567890", "RF471234567890"),
    ("2348231", "RF712348231"),
    ("AB2G5 9X56 V543", "RF19AB2G59X56V543"),  # spaces in the body are dropped
]


@pytest.mark.parametrize(("body", "reference"), PUBLISHED)
def test_the_published_examples_are_computed_and_valid(body: str, reference: str) -> None:
    assert creditor_reference(body) == reference
    assert is_valid_reference(reference)


@pytest.mark.parametrize(
    "text", ["RF18 5390 0754 7034", "rf18539007547034", " RF71 2348 231 ", "RF18000000000539007547034"]
)
def test_spaces_case_and_leading_zeros_of_the_body_are_accepted(text: str) -> None:
    assert is_valid_reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "RF19539007547034",  # a wrong check digit
        "RF18539007547043",  # two digits swapped
        "RF81539007547034",  # the check digits swapped
        "RF18",  # no body
        "RF18539007547034000000000000",  # body longer than 21
        "XX18539007547034",
        "RF1A539007547034",
        "RF18-5390-0754-7034",
        "",
    ],
)
def test_invalid_references_are_refused(text: str) -> None:
    assert not is_valid_reference(text)
    with pytest.raises(InvalidInput) as caught:
        parse_reference(text, "RmtInf/Strd/CdtrRefInf/Ref")
    assert caught.value.problems[0].path == "RmtInf/Strd/CdtrRefInf/Ref"


def test_every_mistyped_digit_or_letter_is_caught() -> None:
    """Mod 97-10 catches every substitution of a digit by a digit or a letter by a letter (a letter for a
    digit changes the length of the number it stands for, which the checks do not always catch)."""
    reference = creditor_reference("INV2026000123")
    for position in range(2, len(reference)):
        for replacement in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            if replacement != reference[position] and replacement.isdigit() == reference[position].isdigit():
                changed = reference[:position] + replacement + reference[position + 1 :]
                assert not is_valid_reference(changed), changed


def test_invoice_numbers_become_the_body_in_capitals() -> None:
    assert creditor_reference("inv 2026 000123") == creditor_reference("INV2026000123") == "RF98INV2026000123"
    assert is_valid_reference(creditor_reference("Z"))
    assert len(creditor_reference("9" * 21)) == 25


@pytest.mark.parametrize("number", ["INV-2026-1", "INV/1", "", "   ", "X" * 22, "ÄB12"])
def test_invoice_numbers_that_cannot_be_a_body_are_refused_not_mangled(number: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        creditor_reference(number)
    assert caught.value.problems[0].code == "reference.body"


def test_printed_and_compared_forms() -> None:
    assert format_reference("rf18539007547034") == "RF18 5390 0754 7034"
    assert format_reference("RF712348231") == "RF71 2348 231"
    assert normalise_reference(" rf18 5390\t0754 7034\n") == "RF18539007547034"
    assert parse_reference("rf18 5390 0754 7034") == "RF18539007547034"


def test_an_invoice_number_is_stable_and_gives_a_valid_reference() -> None:
    number = invoice_number("s_abc")
    assert number == invoice_number("s_abc") != invoice_number("s_abd")
    assert len(number) == 17 and number.isalnum()
    assert is_valid_reference(creditor_reference(number))
