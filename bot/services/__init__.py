"""What the product does, independent of how a request arrived (command, button, CLI)."""
