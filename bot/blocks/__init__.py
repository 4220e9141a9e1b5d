"""Every message and view the bot shows, built by small functions; all text people read is here.

One module per feature (`general`, `contributions`, `membership`, `admin`, `reminders`, `renewals`,
`announcements`, `delivery`, `home`), all built with the primitives of `kit`, where Slack's limits
are respected once: 50 blocks in a message, 100 in a modal or Home tab, 3,000 characters of section
text, 24 for modal titles, and a `text` fallback with every message.
"""
