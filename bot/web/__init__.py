"""Reading the web for the bot: a page's title and kind, strictly (see link_details)."""
