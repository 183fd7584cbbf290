"""The test suite (a package, so test modules in tests/ and tests/browser/ may share names)."""
