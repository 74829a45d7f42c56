"""Hub services: intake, routing, aggregation, and the runtime that wires them to a transport."""
