"""Worked examples of adapters; ``echo_file`` is the one the authoring guide walks through."""
