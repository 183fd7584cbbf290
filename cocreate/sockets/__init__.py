"""Socket.IO namespaces: one per concern, each event through the gate."""
