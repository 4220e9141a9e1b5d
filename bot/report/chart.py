"""The report's chart: contributions per month stacked by type, and the audience per month, as a PNG.

Drawn with matplotlib's object-oriented API on the Agg canvas (no display, no pyplot state shared
between threads: each chart is its own Figure). Made to be read at Slack's preview size (about 360
pixels wide): a few large labels, at most five types (the rest as "other"), months as their initials
when there are many. Its figures are also posted as text beside it. Import this module only through
`bot.report.drawing`, which loads it when a chart is first drawn.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display; set before anything else of matplotlib's is imported

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.rules import membership as membership_rules
from bot.rules.report import MONTH_NAMES, OTHER, Series

# Okabe and Ito's colours: told apart with every common colour-vision deficiency.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#999999")
AUDIENCE_COLOUR = "#D55E00"
SIZE_INCHES = (8.0, 6.4)
DPI = 100  # 800 by 640 pixels: shown at 360 wide, a 20-point label is still about 9 pixels tall
FONT = 20


def _month_labels(months: list[str]) -> list[str]:
    names = [MONTH_NAMES[int(month[5:]) - 1] for month in months]
    years = {month[:4] for month in months}
    if len(months) > 8:
        names = [name[0] for name in names]  # J F M A …: twelve fit at preview size
    if len(years) > 1:  # several years: the year under each January (and the first month)
        names = [
            f"{name}\n{month[:4]}" if index == 0 or month.endswith("-01") else name
            for index, (name, month) in enumerate(zip(names, months, strict=True))
        ]
    return names


def _type_name(kind: str) -> str:
    return "Other" if kind == OTHER else membership_rules.type_label(kind)


def png(series: Series) -> bytes:
    """The chart of `series` as PNG bytes."""
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    positions = list(range(len(series.months)))
    base = [0] * len(positions)
    for index, (kind, values) in enumerate(series.counts.items()):
        top.bar(
            positions,
            values,
            bottom=base,
            color=COLOURS[index % len(COLOURS)],
            label=_type_name(kind),
            width=0.8,
        )
        base = [below + value for below, value in zip(base, values, strict=True)]
    figure.suptitle(series.title, fontsize=FONT + 2, fontweight="bold")
    top.set_ylabel("Contributions", fontsize=FONT - 2)
    top.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    if series.counts:
        top.legend(
            loc="upper left",
            fontsize=FONT - 6,
            frameon=False,
            ncols=min(3, len(series.counts)),
            handlelength=1,
        )
        top.set_ylim(0, max(max(base, default=0), 1) * 1.45)  # room for the legend above the bars
    else:
        top.set_ylim(0, 1)
        top.text(
            0.5, 0.5, "No contributions yet", ha="center", va="center", transform=top.transAxes, fontsize=FONT
        )
    bottom.bar(positions, series.audience, color=AUDIENCE_COLOUR, width=0.8)
    bottom.set_ylabel("Audience", fontsize=FONT - 2)
    bottom.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    bottom.yaxis.set_major_formatter(_thousands)
    bottom.set_xticks(positions, _month_labels(series.months))
    for axes in (top, bottom):
        axes.tick_params(labelsize=FONT - 4, length=0)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="y", alpha=0.3)
        axes.set_axisbelow(True)
    output = io.BytesIO()
    figure.savefig(output, format="png", dpi=DPI, facecolor="white")
    return output.getvalue()


def _thousands(value: float, _position: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"
