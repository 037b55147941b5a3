"""The engine's local agent."""
