"""The wiring: the service, the web app and the command line. Nothing outside ``careline.app`` imports it."""
