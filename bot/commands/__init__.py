"""Slash-command interpreters: read the command text, call one service, render the reply."""
