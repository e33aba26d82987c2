"""One module per platform adapter; only these modules import tweepy or asyncpraw."""
