"""The program report off Slack: its files (Markdown, JSON, CSV) and its chart (a PNG).

`formats` writes the figures of `bot.services.report` as files; `chart` draws them with matplotlib,
which `drawing` loads only when a chart is drawn (see there why).
"""
