"""The Slack edge: the listeners' dependencies, the Web API clients, the Bolt app, the HTTP and Socket
Mode servers, App Home drawing, the start-up token check and the app manifest."""
