"""The ``nsw`` command line: the outermost ring; nothing imports it."""
