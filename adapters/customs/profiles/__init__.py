"""Risk profiles shipped with the customs adapter (data: ``*.json`` checked by ``profile.schema.json``)."""
