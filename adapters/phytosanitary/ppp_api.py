"""The plant-protection system's certification API as the NPPO publishes it: the request for an export
phytosanitary certificate and the issued certificate (its number and the UN/CEFACT SPS XML). The adapter
builds requests and reads answers; the stand-in serves the same contract."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

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
