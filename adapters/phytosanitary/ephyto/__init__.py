"""ePhyto: the UN/CEFACT SPS certificate (SPSCertificate:17) as the IPPC hub exchanges it, bare or in the
hub's envelope. ``check_ephyto`` is the ``nsw formats check`` reader; ``read_certificate`` the adapter's."""

from singlewindow.adapters.phytosanitary.ephyto.certificate import CertificateUnreadable, read_certificate
from singlewindow.adapters.phytosanitary.ephyto.check import FORMAT, Inspection, check_ephyto, inspect
from singlewindow.adapters.phytosanitary.ephyto.envelope import EnvelopeHeader
from singlewindow.adapters.phytosanitary.ephyto.model import (
    CertificateLine,
    Classification,
    Measure,
    Note,
    PhytoCertificate,
    Treatment,
)
from singlewindow.adapters.phytosanitary.ephyto.names import NS, RAM, RSM, UDT
from singlewindow.adapters.phytosanitary.ephyto.schema import schema_folder

__all__ = [
    "FORMAT",
    "NS",
    "RAM",
    "RSM",
    "UDT",
    "CertificateLine",
    "CertificateUnreadable",
    "Classification",
    "EnvelopeHeader",
    "Inspection",
    "Measure",
    "Note",
    "PhytoCertificate",
    "Treatment",
    "check_ephyto",
    "inspect",
    "read_certificate",
    "schema_folder",
]
