"""Numbered SQL files for every table the project owns, and the runner that applies them."""
