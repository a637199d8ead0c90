"""The app's Qt services that show nothing: the start-up, the store's worker and the write
queue, the daily upkeep, the team server's sync runner, the single-instance server and the
phone system's HTTP endpoint (docs/architecture.md, "Layers")."""
