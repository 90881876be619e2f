"""The one package that knows the Bot Framework SDK, the Microsoft 365 Agents SDK and Teams: two channels,
one per SDK (channel.py: botbuilder; agents.py: the Agents SDK), of which the composition root builds the one
BOT_SDK names (`bot.compose.make_channel`), and what they share (base.py, tokens.py, connector.py), the HTTP
front door, the activity handler, the Conversation a dialog gets, the messenger (the outbox for proactive
messages), the app package builder and the terminal preview."""
