"""Forms generated from a document type's JSON Schema, and the way back from a posted form to a document."""
