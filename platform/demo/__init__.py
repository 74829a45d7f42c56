"""``nsw demo``: the README's first command; the hub end to end with stand-in agencies, checking itself."""

from singlewindow.platform.demo.render import render_human, render_json
from singlewindow.platform.demo.run import DemoResult, run_demo
from singlewindow.platform.demo.scenario import SCENARIO, DemoConsignment
from singlewindow.platform.demo.timeline import Timeline, build_timeline

__all__ = [
    "SCENARIO",
    "DemoConsignment",
    "DemoResult",
    "Timeline",
    "build_timeline",
    "render_human",
    "render_json",
    "run_demo",
]
