"""``mockserver record``: a proxy to a real ICI that writes what passes through as a fixture
folder the mock serves, with every value that identifies a person replaced.

Imports the generator's fixture layout, the HTTP helpers and the server runner; nothing of
the mock's app, so a recording never touches a mock's state.
"""
