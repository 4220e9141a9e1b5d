"""The program report off Slack: its files (Markdown, JSON, CSV) and its chart (a PNG).

`formats` writes the figures of `bot.services.report` as files; `chart` draws them with matplotlib
(its Agg canvas: no display needed).
"""
