"""The adapter's way in: a certificate it can check against a declaration, or why not, with the layer that
refused it (the UN/CEFACT format, or a national requirement)."""

from __future__ import annotations

from singlewindow.adapters.formats import Problem
from singlewindow.adapters.phytosanitary.ephyto.check import inspect
from singlewindow.adapters.phytosanitary.ephyto.model import PhytoCertificate


class CertificateUnreadable(ValueError):
    """Not an ePhyto the standard accepts, or one this country's national layer refuses; ``problems`` says
    which rule, where."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        refused_by = "a national requirement" if self.national else "the ePhyto (UN/CEFACT SPS certificate) format"
        super().__init__(f"the certificate is refused by {refused_by}: {'; '.join(str(p) for p in problems[:3])}")

    @property
    def national(self) -> bool:
        """True when the certificate is valid by the standard and only national rules refuse it."""
        return all(problem.layer == "national" for problem in self.problems)


def read_certificate(content: bytes) -> PhytoCertificate:
    """The certificate in ``content`` (bare or in the hub's envelope); CertificateUnreadable otherwise."""
    inspection = inspect(content)
    if inspection.problems or inspection.certificate is None:
        raise CertificateUnreadable(inspection.problems)
    return inspection.certificate
