"""Subcommands of the storyarchive CLI; each module has register(subparsers)."""
