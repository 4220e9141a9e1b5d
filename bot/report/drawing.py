"""Drawing the report's chart, with matplotlib loaded the first time a chart is drawn.

matplotlib takes about as long to import as the whole bot and, on its first import in a home
directory, writes its configuration and font cache there; most runs never draw: `ambassador-bot
--help`, a read-only command, the server's start, a job with nothing to post. Every import sits at the top of its module
(the house rule), so whatever imported `bot.report.chart` would pay for matplotlib at start. This
module names the chart module instead and loads it on the first drawing; it is the one place that
does so (`tests/unit/test_report_chart.py` checks that starting the bot does not load matplotlib,
and that the name below is the chart module).
"""

from __future__ import annotations

import importlib
from typing import Protocol, cast

from bot.rules.report import Series

CHART_MODULE = "bot.report.chart"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ChartModule(Protocol):
    def png(self, series: Series) -> bytes: ...


def png(series: Series) -> bytes:
    """The chart of `series` as PNG bytes."""
    module = cast(ChartModule, importlib.import_module(CHART_MODULE))
    return module.png(series)
