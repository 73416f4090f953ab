"""Money: an amount in the currency's minor unit (won, cents) and an ISO 4217 code."""

from dataclasses import dataclass

from modules.shared_kernel.domain.errors import InvalidValue

MAX_AMOUNT = (1 << 63) - 1  # what a BIGINT column holds

# Active ISO 4217 currency codes (2024 list), so "XYZ" is refused rather than stored.
ISO_4217 = frozenset(
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD "
    "BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP "
    "DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR "
    "IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD "
    "MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB "
    "PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD "
    "SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS "
    "VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA "
    "XXX YER ZAR ZMW ZWG ZWL"
    .split()
)
DEFAULT_CURRENCY = "KRW"


class InvalidPrice(InvalidValue):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="price")


def valid_currency(code: str) -> str:
    if code not in ISO_4217:
        raise InvalidPrice(f"{code!r} is not an ISO 4217 currency code")
    return code


@dataclass(frozen=True)
class Money:
    amount: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidPrice("the amount is a whole number of the currency's minor unit")
        if not 0 <= self.amount <= MAX_AMOUNT:
            raise InvalidPrice(f"the amount must be between 0 and {MAX_AMOUNT}")
        valid_currency(self.currency)
