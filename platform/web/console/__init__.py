"""The officer console and the time-release dashboard: pages over the hub's officer and report API."""
