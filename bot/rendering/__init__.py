"""Pure functions from domain objects to Slack messages and plain text. Rendering never queries."""
