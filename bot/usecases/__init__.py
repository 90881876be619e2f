"""Use-cases: what the bot does, joining the rules (pure decisions), the records (durable state) and
the notices port (messages the bot starts itself). Nothing here knows Teams or builds a card."""
