"""The one web app: pages for agents, leads and marketing, and the JSON API they use."""
