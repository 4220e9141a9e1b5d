"""The `ambassador-bot` command line: `main` parses, and each module here adds its own subcommands."""
