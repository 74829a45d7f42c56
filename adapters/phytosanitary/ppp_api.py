"""The plant-protection system's API as the NPPO publishes it: the request for an export phytosanitary
certificate and the issued certificate (its number and the UN/CEFACT SPS XML); and the import check register,
where the documentary check of an imported consignment's ePhyto is filed with the inspector's findings, may
first be queried (the trader answers), is abandoned when the consignment is cancelled and redone when it is
amended. The adapter builds requests and reads answers; the stand-in serves the same contract."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CheckStatus = Literal["DECIDED", "QUERY", "ABANDONED", "REPLACED"]
_COUNTRY = r"^[A-Z]{2}$"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Trader(_Strict):
    name: str = Field(min_length=1, max_length=200)
    addressLine: str | None = Field(default=None, max_length=140)
    city: str | None = Field(default=None, max_length=70)
    country: str = Field(pattern=_COUNTRY)


class Package(_Strict):
    typeCode: str = Field(pattern=r"^[0-9A-Z]{2,3}$")
    count: int = Field(ge=0)


class Line(_Strict):
    scientificName: str = Field(min_length=1, max_length=140)
    description: str = Field(min_length=1, max_length=512)
    hsCode: str = Field(pattern=r"^[0-9]{6,10}$")
    netWeightKg: str = Field(pattern=r"^[0-9]+(\.[0-9]{1,3})?$")
    grossWeightKg: str | None = Field(default=None, pattern=r"^[0-9]+(\.[0-9]{1,3})?$")
    originCountry: str = Field(pattern=_COUNTRY)
    packages: tuple[Package, ...] = ()


class CertificateRequest(_Strict):
    localReference: str = Field(
        min_length=1, max_length=120, description="Sender's id; a repeat returns the same certificate."
    )
    consignor: Trader
    consignee: Trader
    exportCountry: str = Field(pattern=_COUNTRY)
    importCountry: str = Field(pattern=_COUNTRY)
    transitCountries: tuple[str, ...] = ()
    transportModeCode: str = Field(default="3", pattern=r"^[0-9]$")
    transportMeans: str | None = Field(default=None, max_length=70)
    lines: tuple[Line, ...] = Field(min_length=1)


class IssuedCertificate(_Strict):
    certificateNumber: str = Field(min_length=1, max_length=70)
    localReference: str
    issuedAt: str
    validUntil: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    xml: str = Field(min_length=1, description="The certificate as UN/CEFACT SPSCertificate:17 XML.")


class ImportCheckRequest(_Strict):
    """File the documentary check of one consignment version; a repeat of ``localReference`` is a no-op."""

    localReference: str = Field(min_length=1, max_length=120)
    customsReferenceNumber: str = Field(min_length=1, max_length=35)
    certificateNumber: str | None = Field(default=None, max_length=70)
    findings: dict[str, Any] = Field(description="The inspector's decision on the documents, kept until released.")
    replacesCheckReference: str | None = Field(default=None, max_length=40, description="Redo of this check.")


class ImportCheck(_Strict):
    """A filed check: decided (``findings`` released), or a question to the trader first, or ended."""

    checkReference: str
    localReference: str
    status: CheckStatus
    findings: dict[str, Any] | None = None
    question: str | None = None
    fieldsConcerned: tuple[str, ...] = ()


class CheckAbandonment(_Strict):
    reason: str = Field(min_length=1, max_length=1000)


class CheckAnswer(_Strict):
    queryId: str = Field(min_length=1, max_length=200)
    answer: str = Field(min_length=1, max_length=4000)


class ImportCheckList(_Strict):
    checks: tuple[ImportCheck, ...]
