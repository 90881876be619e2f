"""The one package that knows the Bot Framework SDK and Teams: the channel (authentication and the Bot
Connector), the HTTP front door, the activity handler, the Conversation a dialog gets, the messenger
(the outbox for proactive messages), the app package builder and the terminal preview.

Moving to the Microsoft 365 Agents SDK means rewriting this package and nothing else (docs/architecture.md)."""
