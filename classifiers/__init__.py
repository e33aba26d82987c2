"""Stage 2: tag each mention with sentiment, complaint, intent and detractor likelihood."""
