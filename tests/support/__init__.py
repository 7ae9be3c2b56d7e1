"""Test helpers: databases, a real server process, and a real WebSocket client."""
