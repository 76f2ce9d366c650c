"""`arising console`: the real bot against a Slack stand-in, in a terminal."""
