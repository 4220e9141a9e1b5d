"""GitHub: the REST client (githubkit) and the public files the website renders, in their own style."""
