"""A stand-in of the plant-protection system that issues export phytosanitary certificates, run as its own process."""

from singlewindow.adapters.phytosanitary.standin.app import build_app
from singlewindow.adapters.phytosanitary.standin.store import CertificateStore
from singlewindow.adapters.phytosanitary.standin.xml_writer import certificate_xml

__all__ = ["CertificateStore", "build_app", "certificate_xml"]
