"""Stage 1: poll platforms for brand mentions and store each exactly once."""
