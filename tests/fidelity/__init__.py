"""Fidelity proof: the unmodified official SDK (google-genai) against the local emulator."""
