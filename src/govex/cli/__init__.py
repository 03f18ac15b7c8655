"""Command-line shells; see govex.cli.main."""
