"""Agency adapters: the adapter SDK and one package per agency."""
