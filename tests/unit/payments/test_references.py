"""Invoice numbers and ISO 11649 creditor references."""

from __future__ import annotations

import pytest

from singlewindow.platform.payments.numbers import invoice_number, rf_reference, rf_valid


def test_the_iso_11649_example() -> None:
    assert rf_reference("539007547034") == "RF18539007547034"
    assert rf_valid("RF18 5390 0754 7034")
    assert not rf_valid("RF19539007547034")
    assert not rf_valid("XX18539007547034")


def test_an_invoice_number_is_stable_and_gives_a_valid_reference() -> None:
    number = invoice_number("s_abc")
    assert number == invoice_number("s_abc") != invoice_number("s_abd")
    assert len(number) == 17 and number.isalnum()
    assert rf_valid(rf_reference(number))


def test_a_reference_body_must_be_1_to_21_alphanumerics() -> None:
    with pytest.raises(ValueError, match="1 to 21"):
        rf_reference("A" * 22)
    with pytest.raises(ValueError, match="1 to 21"):
        rf_reference("AB-1")
