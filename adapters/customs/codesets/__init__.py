"""EDIFACT code-set profiles (data: ``*.json`` checked by ``codeset.schema.json``)."""
