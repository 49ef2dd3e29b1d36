"""The app's screens, one per module (imported where used: modal screens load on first use)."""
