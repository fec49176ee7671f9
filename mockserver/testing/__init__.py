"""Tools for test suites: the clients (MockControl, VendorClient), the mock on a thread of the
caller's process (MockServer) and the pytest plugin (the ici_mock fixtures)."""
