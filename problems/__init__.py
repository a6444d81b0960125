"""problems: named benchmark problems and the `sciml` command (arriving with issues #9 and #10)."""
