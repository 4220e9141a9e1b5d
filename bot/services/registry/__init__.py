"""The registry and the website's members file (AMBASSADORS_MEMBERS.json / .yaml, Emeritus.yaml):
`file_format` reads and writes the files' entries (pure), `importing` and `exporting` move them in
and out of the database, one transaction each.
"""
