"""Peer worker wellbeing bot: a Microsoft Teams bot for peer workers in NHS mental health services."""
