"""X (Twitter) through tweepy: client plumbing, reading, replying and the API v2 simulator."""
