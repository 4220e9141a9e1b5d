"""`python -m bot.cli`: the same as the `ambassador-bot` command."""

import sys

from bot.cli.main import main

sys.exit(main())
