"""The emulator tests use the ``live_emulator`` fixtures from the package's pytest plugin,
registered through the ``pytest11`` entry point exactly as users get it."""
