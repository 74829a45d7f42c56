"""Helpers of the hostile-input suite (tests/hostile): the corpus, the served hub and registry, the tally."""
