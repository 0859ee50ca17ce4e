"""Helpers shared by the tests: builds, servers, expected answers."""
