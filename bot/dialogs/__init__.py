"""Conversations: one module per flow, plus the router that picks the flow for each turn."""
