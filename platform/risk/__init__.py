"""The hub's risk service: agencies' signed, versioned risk profiles evaluated once per submission version
at routing; each agency sees only its own outcome (docs/risk.md)."""

from singlewindow.platform.risk.aeo import AeoRegister
from singlewindow.platform.risk.assessor import Assessment, RiskAssessor
from singlewindow.platform.risk.evaluate import Hit, Outcome, RiskFacts, TraderHistory, evaluate
from singlewindow.platform.risk.keys import RiskKeys
from singlewindow.platform.risk.profile import RiskProfile, parse_profile, shipped_profiles
from singlewindow.platform.risk.store import ProfileStore

__all__ = [
    "AeoRegister",
    "Assessment",
    "Hit",
    "Outcome",
    "ProfileStore",
    "RiskAssessor",
    "RiskFacts",
    "RiskKeys",
    "RiskProfile",
    "TraderHistory",
    "evaluate",
    "parse_profile",
    "shipped_profiles",
]
