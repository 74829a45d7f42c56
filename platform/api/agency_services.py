"""The hub services agencies use besides their inbox: attachments, the officer queue, border events, joint
inspections, their own risk profiles and assessments, and the time-release and trade figures (read by
officers, agencies and operators).

``build_agency_services`` wires them to a running hub; ``agency_services_app`` is their Starlette app,
mounted next to the submission API (or served on its own, as tests do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from singlewindow.platform.api.attachments_http import attachment_routes
from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.joint_http import joint_inspection_routes
from singlewindow.platform.api.methods import by_path
from singlewindow.platform.api.officers_http import officer_routes
from singlewindow.platform.api.payments_http import Authenticate, payment_routes
from singlewindow.platform.api.reports_http import report_routes
from singlewindow.platform.api.risk_http import risk_routes
from singlewindow.platform.attachments import AttachmentService, AttachmentStore, BlobStore
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.officers import (
    BorderEventService,
    JointInspections,
    OfficerClaims,
    OfficerQueue,
    OfficerService,
)
from singlewindow.platform.payments.provider import PaymentProvider
from singlewindow.platform.payments.service import PaymentService, payment_service
from singlewindow.platform.reports import ReportService
from singlewindow.platform.risk.service import RiskService
from singlewindow.platform.settings import Settings
from singlewindow.platform.specs import DocumentValidator

BODY_ALLOWANCE = 64 * 1024  # fields around a queued document


@dataclass(frozen=True)
class AgencyServices:
    principals: PrincipalStore
    attachments: AttachmentService
    officers: OfficerService
    border_events: BorderEventService
    joint_inspections: JointInspections
    reports: ReportService
    risk: RiskService
    payments: PaymentService
    authenticate: Authenticate
    body_limit: int

    def routes(self) -> list[BaseRoute]:
        return [
            *attachment_routes(self.attachments, self.principals),
            *officer_routes(self.officers, self.border_events, self.principals, self.body_limit),
            *joint_inspection_routes(self.joint_inspections, self.principals),
            *report_routes(self.reports, self.principals),
            *risk_routes(self.risk, self.principals),
            *payment_routes(self.payments, self.authenticate),
        ]


def build_agency_services(
    hub: Hub, settings: Settings, validator: DocumentValidator, provider: PaymentProvider | None = None
) -> AgencyServices:
    """``provider``: how traders pay (none: invoices are shown, paying answers that no provider is set)."""
    blobs = BlobStore(settings.attachments.folder, settings.limits.max_attachment_bytes)
    claim = timedelta(seconds=settings.officers.claim_seconds)
    queue = OfficerQueue(hub.engine, claim)
    return AgencyServices(
        principals=hub.principals,
        attachments=AttachmentService(AttachmentStore(hub.engine), blobs),
        officers=OfficerService(
            queue, hub.recipients, hub.catalogue, validator, OfficerClaims(hub.engine, claim), hub.events
        ),
        border_events=BorderEventService(hub.engine, validator),
        joint_inspections=JointInspections(hub.engine, hub.recipients),
        reports=ReportService(hub.engine, settings.gateway.country),
        risk=RiskService(hub.engine, hub.risk.profiles),
        payments=payment_service(hub, settings.fees, provider),
        authenticate=lambda authorization: authenticate(hub.principals, authorization),
        body_limit=settings.limits.max_document_bytes + BODY_ALLOWANCE,
    )


def agency_services_app(services: AgencyServices) -> Starlette:
    return Starlette(routes=by_path(services.routes()))
