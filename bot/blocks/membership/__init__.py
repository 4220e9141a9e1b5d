"""Every message, view and text of membership, a module per part: `applying` (the application
form and its receipt), `deciding` (the TSC's review post and decisions), `messages` (the membership
outbox messages, nominations and renewal replies)."""
