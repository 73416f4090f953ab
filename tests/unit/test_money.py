import pytest

from modules.book.domain.money import MAX_AMOUNT, InvalidPrice, Money, valid_currency


def test_the_default_currency_is_krw() -> None:
    assert Money(15_000).currency == "KRW"


@pytest.mark.parametrize("amount", [0, 1, MAX_AMOUNT])
def test_any_bigint_from_zero_up_is_a_valid_amount(amount: int) -> None:
    assert Money(amount).amount == amount


@pytest.mark.parametrize("amount", [-1, True, 12.5, 12.0, 2**63, "100"])
def test_an_amount_that_is_not_a_bigint_of_minor_units_is_rejected(amount: object) -> None:
    with pytest.raises(InvalidPrice) as error:
        Money(amount)  # type: ignore[arg-type]
    assert error.value.field == "price"


@pytest.mark.parametrize("code", ["XYZ", "krw", "", "KRWW"])
def test_a_code_outside_iso_4217_is_rejected(code: str) -> None:
    with pytest.raises(InvalidPrice):
        Money(100, code)


@pytest.mark.parametrize("code", ["KRW", "USD", "EUR", "JPY"])
def test_valid_currency_returns_an_iso_4217_code(code: str) -> None:
    assert valid_currency(code) == code


def test_valid_currency_rejects_an_unknown_code() -> None:
    with pytest.raises(InvalidPrice):
        valid_currency("XYZ")


@pytest.mark.parametrize(("amount", "currency", "message"), [
    (12.5, "KRW", "the amount is a whole number of the currency's minor unit"),
    (-1, "KRW", f"the amount must be between 0 and {2**63 - 1}"),
    (100, "XYZ", "'XYZ' is not an ISO 4217 currency code"),
])
def test_a_refused_price_is_told_why(amount: int, currency: str, message: str) -> None:
    with pytest.raises(InvalidPrice) as refused:
        Money(amount, currency)
    assert str(refused.value) == message


def test_money_with_the_same_amount_and_currency_is_equal() -> None:
    assert Money(100, "USD") == Money(100, "USD")


def test_money_in_another_currency_is_not_equal() -> None:
    assert Money(100, "USD") != Money(100, "EUR")
