"""The risk package's public names are pinned: removing or renaming one is a deliberate change."""

from __future__ import annotations

import singlewindow.platform.risk as risk


def test_public_names() -> None:
    assert sorted(risk.__all__) == sorted(
        [
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
    )
    assert all(hasattr(risk, name) for name in risk.__all__)
