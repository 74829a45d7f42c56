"""The adapter SDK's internals: the runtime, its store, the circuit breaker and discovery.

Adapter authors import from ``singlewindow.adapters``; these modules are for the runtime, the CLI and the
testing harness.
"""
