"""Browser tests: the app driven through Debian Chromium (Playwright)."""
