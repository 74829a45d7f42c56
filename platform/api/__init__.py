"""The hub's public APIs: gRPC and HTTP over one implementation, one error table, metrics."""

from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.status_codes import TABLE, status_of

__all__ = ["TABLE", "SubmissionApi", "status_of"]
