"""Loopback fakes of the platforms, speaking their real wire formats (tests AND ``make demo``)."""
