"""One package per platform: its client plumbing, reading (``read``), replying (``reply``) and a
loopback simulator that speaks its wire format. ``registry`` builds them from the settings."""
