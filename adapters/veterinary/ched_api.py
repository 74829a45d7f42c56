"""The CHED system's API as the veterinary service publishes it: the notification it accepts (modelled on
IPAFFS/TRACES CHED part I, research trade_data.md §5) and the decision it calls back with (part II).
The adapter builds and reads these; the stand-in serves the same contract.

Lifecycle, as a TRACES-like system has it: a CHED is withdrawn by its submitter (``POST /ched/{ref}/withdrawal``;
a withdrawn CHED never gets a decision); a notification naming ``replacesChedReference`` amends that CHED in
place while it is undecided and otherwise creates a new CHED that replaces it; the official veterinarian may
first request information (``INFORMATION_REQUESTED`` with a question and the fields concerned), answered with
``POST /ched/{ref}/answers``, and decides afterwards."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChedType = Literal["CHED_A", "CHED_P"]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EconomicOperator(_Strict):
    companyName: str = Field(min_length=1, max_length=200)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    identifier: str | None = Field(default=None, max_length=35)


class VeterinaryDocument(_Strict):
    number: str = Field(min_length=1, max_length=70)
    issuerCountry: str = Field(pattern=r"^[A-Z]{2}$")
    issueDate: str | None = None


class Commodity(_Strict):
    commodityID: str = Field(pattern=r"^[0-9]{6,10}$", description="CN/HS code")
    commodityDescription: str = Field(min_length=1, max_length=512)
    speciesName: str | None = Field(default=None, max_length=140)
    netWeightKg: str = Field(pattern=r"^[0-9]+(\.[0-9]{1,3})?$")
    numberOfPackages: int = Field(ge=0)
    numberOfAnimals: int | None = Field(default=None, ge=1)
    countryOfOrigin: str = Field(pattern=r"^[A-Z]{2}$")
    veterinaryDocuments: tuple[VeterinaryDocument, ...] = ()


class SealContainer(_Strict):
    sealNumber: str | None = None
    containerNumber: str | None = None
    officialSeal: bool = False


class MeansOfTransport(_Strict):
    type: Literal["Road Vehicle", "Railway Wagon", "Aeroplane", "Ship", "Other"]
    id: str = Field(min_length=1, max_length=35)


class ChedNotification(_Strict):
    """Part I of a CHED, as the operator (here: the hub's veterinary adapter) submits it."""

    localReference: str = Field(
        min_length=1, max_length=120, description="Sender's id; a repeat returns the same CHED."
    )
    chedType: ChedType
    customsReferenceNumber: str = Field(min_length=1, max_length=35)
    consignor: EconomicOperator
    consignee: EconomicOperator
    countryOfDispatch: str = Field(pattern=r"^[A-Z]{2}$")
    pointOfEntry: str | None = Field(default=None, pattern=r"^[A-Z]{2}[0-9A-Z\-]{2,15}$")
    meansOfTransport: MeansOfTransport
    sealsContainers: tuple[SealContainer, ...] = ()
    temperature: Literal["Ambient", "Chilled", "Frozen"] = "Ambient"
    commodities: tuple[Commodity, ...] = Field(min_length=1)
    callbackUrl: str = Field(pattern=r"^https?://")
    replacesChedReference: str | None = Field(
        default=None, max_length=40, description="A new version of this CHED: amended in place while undecided."
    )


class ChedAccepted(_Strict):
    """The answer to a notification: its CHED reference (``CHEDP.KZ.2026.0000001``)."""

    chedReference: str
    localReference: str
    status: Literal["SUBMITTED", "AMENDED", "DECIDED"]


class OfficialVeterinarian(_Strict):
    id: str
    name: str


class ChedDecision(_Strict):
    """Part II, sent to ``callbackUrl``; ``eventId`` is the same on every (re)send of one decision."""

    eventId: str
    chedReference: str
    localReference: str
    decision: Literal[
        "ACCEPTABLE", "ACCEPTABLE_WITH_CONDITIONS", "NOT_ACCEPTABLE", "LABORATORY_TESTS", "INFORMATION_REQUESTED"
    ]
    conditions: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    question: str | None = Field(default=None, max_length=1500, description="With INFORMATION_REQUESTED.")
    fieldsConcerned: tuple[str, ...] = Field(default=(), description="CHED paths, e.g. commodities/0/netWeightKg")
    officialVeterinarian: OfficialVeterinarian
    decidedAt: str


class ChedWithdrawal(_Strict):
    """The submitter withdraws a CHED: the veterinarian stops working on it, no decision is issued."""

    reason: str = Field(min_length=1, max_length=1000)


class ChedAnswer(_Strict):
    """The operator's answer to the veterinarian's request for information; ``queryId`` makes a repeat a no-op."""

    queryId: str = Field(min_length=1, max_length=200)
    answer: str = Field(min_length=1, max_length=4000)


class ChedSummary(_Strict):
    chedReference: str
    localReference: str
    status: Literal["SUBMITTED", "DECIDED", "WITHDRAWN", "REPLACED"]
    replacedBy: str | None = None


class ChedList(_Strict):
    """``GET /ched?customsReferenceNumber=``: the CHEDs of one consignment, oldest first."""

    cheds: tuple[ChedSummary, ...]
